/**
 * SIP over TLS (RFC 3261 §26.2.1) and secure WebSocket (RFC 7118, wss) through SipTransport. The test
 * terminates TLS itself (node:tls, node:https + ws) with a throw-away self-signed certificate made by
 * openssl, and hands the sockets to the transport exactly as a TLS listener would (SipListeners' own
 * TLS/WSS listeners: sip-tls-listeners.test.ts). Skipped when openssl is not installed.
 */
import test, { type ExecutionContext } from 'ava';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, createServer as createTlsServer } from 'node:tls';
import { WebSocket, WebSocketServer } from 'ws';
import { createLogger } from '../src/logger.js';
import { getHeader, type SipMessage } from '../src/sip/message.js';
import { createResponse } from '../src/sip/transaction-messages.js';
import { SipTransport, type TransportSource } from '../src/sip/transport.js';

const DEADLINE = 3000;

function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_r, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), DEADLINE)));
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

function certificate(t: ExecutionContext): { key: Buffer; cert: Buffer } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-sip-tls-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
}

function setup(t: ExecutionContext) {
  const delivered: Array<{ message: SipMessage; source: TransportSource }> = [];
  const transport: SipTransport = new SipTransport({
    log: createLogger('silent'),
    deliver: (message, source) => {
      delivered.push({ message, source });
      if (message.kind === 'request') transport.send(createResponse(message, 200, 'OK', { toTag: 's' }), source).catch((e: unknown) => t.log(String(e)));
    },
  });
  t.teardown(() => transport.close());
  return { transport, delivered };
}

const options = (callId: string, proto: string) =>
  `OPTIONS sip:hotline@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/${proto} client.invalid;rport;branch=z9hG4bK-${callId}\r\nMax-Forwards: 70\r\n` +
  `To: <sip:hotline@127.0.0.1>\r\nFrom: <sip:t@example.com>;tag=1\r\nCall-ID: ${callId}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`;

test('TLS: a request over a TLS stream is delivered as tls and answered over the same TLS connection', async (t) => {
  const creds = certificate(t);
  if (!creds) return t.pass('openssl not available: skipped');
  const { transport, delivered } = setup(t);
  const server = createTlsServer(creds, (socket) => transport.stream(socket, 'tls'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const client = tlsConnect({ host: '127.0.0.1', port: (server.address() as { port: number }).port, ca: creds.cert });
  t.teardown(() => void client.destroy());
  await within(once(client, 'secureConnect'), 'tls handshake');
  client.write(options('tls-1', 'TLS'));
  const text = await within(new Promise<string>((resolve) => {
    let acc = '';
    client.on('data', (d: Buffer) => {
      acc += d.toString();
      if (acc.includes('\r\n\r\n')) resolve(acc);
    });
  }), '200 over tls');
  t.regex(text, /^SIP\/2\.0 200 OK\r\n/);
  t.like(delivered[0]?.source, { transport: 'tls', address: '127.0.0.1', port: client.localPort });
  t.is(transport.connections()[0]?.transport, 'tls');
});

test('WSS: a request over secure WebSocket is delivered as wss and answered over the same socket', async (t) => {
  const creds = certificate(t);
  if (!creds) return t.pass('openssl not available: skipped');
  const { transport, delivered } = setup(t);
  const https = createHttpsServer(creds);
  const wss = new WebSocketServer({ server: https, handleProtocols: (p) => (p.has('sip') ? 'sip' : false) });
  wss.on('connection', (ws, req) => transport.stream(ws, 'wss', { address: req.socket.remoteAddress ?? '', port: req.socket.remotePort ?? 0 }));
  await new Promise<void>((r) => https.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => {
    for (const c of wss.clients) c.terminate();
    wss.close(() => https.close(() => r()));
  }));
  const ws = new WebSocket(`wss://127.0.0.1:${(https.address() as { port: number }).port}`, 'sip', { ca: creds.cert });
  t.teardown(() => ws.terminate());
  await within(once(ws, 'open'), 'wss open');
  ws.send(options('wss-1', 'WSS'));
  const [reply] = (await within(once(ws, 'message'), '200 over wss')) as [Buffer];
  t.regex(reply.toString(), /^SIP\/2\.0 200 OK\r\n/);
  t.is(getHeader(delivered[0]!.message, 'Call-ID'), 'wss-1');
  t.like(delivered[0]!.source, { transport: 'wss', address: '127.0.0.1' });
});
