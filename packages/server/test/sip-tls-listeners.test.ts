/**
 * The SIP TLS and WSS listeners of a real server (settings sip.tlsPort/sip.wssPort/sip.tlsCert/sip.tlsKey):
 * a throw-away self-signed certificate made by /usr/bin/openssl in a temp dir; REGISTER over TLS and over
 * WSS gets the 401 challenge and then 200 exactly as over TCP, and the binding's transport is tls/wss.
 * A certificate that cannot be read or parsed stops the start with config_invalid. Skipped without openssl.
 */
import test, { type ExecutionContext } from 'ava';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { WebSocket } from 'ws';
import { StreamFramer } from '../src/sip/framer.js';
import type { SipResponse } from '../src/sip/message.js';
import { parseMessage } from '../src/sip/parse.js';
import { startTestServer } from '../src/testing.js';
import { serve, waitFor } from './helpers.js';
import { authorize, challengeFor, registerText } from './sip-ua.js';

const DEADLINE = 10_000;

function certificate(t: ExecutionContext): { dir: string; cert: string; key: string } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-sip-tls-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert,
    ], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  return { dir, cert, key };
}

/** Responses from a stream (framed) or from WebSocket messages, awaited one by one with a deadline. */
class Responses {
  private readonly queue: SipResponse[] = [];
  private waiter?: (r: SipResponse) => void;

  push(r: SipResponse): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w(r);
    } else this.queue.push(r);
  }

  next(): Promise<SipResponse> {
    const ready = this.queue.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no SIP response in time')), DEADLINE);
      this.waiter = (r) => {
        clearTimeout(timer);
        resolve(r);
      };
    });
  }

  /** The next final response. */
  async final(): Promise<SipResponse> {
    for (;;) {
      const r = await this.next();
      if (r.status >= 200) return r;
    }
  }
}

/** REGISTER 1001 with digest over `send`, as the registrar tests do over UDP: 401, then 200. */
async function register(send: (text: string) => void, responses: Responses, transport: string, contact: string): Promise<[SipResponse, SipResponse]> {
  const spec = { user: '1001', contacts: [contact], expires: 600, callId: `tls-${transport}-${Date.now()}`, cseq: 1, transport };
  send(registerText(spec));
  const first = await responses.final();
  const authorization = authorize(challengeFor(first, 'SHA-256'), '1001', 'alpha secret');
  send(registerText({ ...spec, cseq: 2, authorization }));
  return [first, await responses.final()];
}

test('TLS and WSS listeners: REGISTER gets 401 then 200 as over TCP; bindings are tls and wss; listed in status', async (t) => {
  const creds = certificate(t);
  if (!creds) return t.pass('openssl not available: skipped');
  const s = await serve(t, { overrides: { 'sip.tlsPort': 0, 'sip.wssPort': 0, 'sip.tlsCert': creds.cert, 'sip.tlsKey': creds.key } });
  await s.admin.agents.create({ extension: '1001', name: 'Agent 1001', password: 'alpha secret' });
  const { listeners } = await s.admin.status();
  t.truthy(listeners['sipTls']?.port);
  t.truthy(listeners['sipWss']?.port);

  // TLS: the server's certificate is verified against itself (ca).
  const socket = tlsConnect({ host: '127.0.0.1', port: listeners['sipTls']!.port, ca: readFileSync(creds.cert) });
  t.teardown(() => void socket.destroy());
  await within(once(socket, 'secureConnect'));
  const overTls = new Responses();
  const framer = new StreamFramer({ maxSize: 65536 });
  socket.on('data', (chunk: Buffer) => {
    for (const ev of framer.feed(chunk)) if (ev.type === 'message' && ev.message.kind === 'response') overTls.push(ev.message);
  });
  const [tls401, tls200] = await register((text) => socket.write(text), overTls, 'TLS', `<sip:1001@127.0.0.1:5999;transport=tls>`);
  t.is(tls401.status, 401);
  t.is(tls200.status, 200);

  // WSS: rejectUnauthorized false (the test does not pin the certificate here).
  const ws = new WebSocket(`wss://127.0.0.1:${listeners['sipWss']!.port}`, 'sip', { rejectUnauthorized: false });
  t.teardown(() => ws.terminate());
  await within(once(ws, 'open'));
  const overWss = new Responses();
  ws.on('message', (data: Buffer) => {
    const r = parseMessage(data, { transport: 'udp' });
    if (r.ok && r.message.kind === 'response') overWss.push(r.message);
  });
  const [wss401, wss200] = await register((text) => ws.send(text), overWss, 'WSS', `<sip:1001@df7jal23ls0d.invalid;transport=wss>`);
  t.is(wss401.status, 401);
  t.is(wss200.status, 200);

  const bindings = await waitFor('two bindings', async () => {
    const list = await s.admin.registrations.list();
    return list.length === 2 ? list : undefined;
  });
  t.deepEqual(bindings.map((b) => b.transport).sort(), ['tls', 'wss']);
});

test('TLS: without a certificate no TLS/WSS listener; an unreadable or malformed certificate is config_invalid at start', async (t) => {
  const s = await serve(t);
  const { listeners } = await s.admin.status();
  t.is(listeners['sipTls'], null);
  t.is(listeners['sipWss'], null);

  const dir = mkdtempSync(join(tmpdir(), 'hotline-sip-badtls-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'cert.pem'), 'not a certificate\n');
  writeFileSync(join(dir, 'key.pem'), 'not a key\n');
  const missing = await t.throwsAsync(startTestServer({ overrides: { 'sip.tlsCert': join(dir, 'nope.pem'), 'sip.tlsKey': join(dir, 'key.pem') } }));
  t.is((missing as Error & { code?: string }).code, 'config_invalid');
  t.regex(missing!.message, /sip\.tlsCert: cannot read .*nope\.pem: ENOENT/);
  const garbage = await t.throwsAsync(startTestServer({ overrides: { 'sip.tlsCert': join(dir, 'cert.pem'), 'sip.tlsKey': join(dir, 'key.pem') } }));
  t.is((garbage as Error & { code?: string }).code, 'config_invalid');
  t.regex(garbage!.message, /sip\.tlsCert: .*not a usable PEM certificate and key/);
  const half = await t.throwsAsync(startTestServer({ overrides: { 'sip.tlsCert': join(dir, 'cert.pem') } }));
  t.regex(half!.message, /sip\.tlsKey: sip\.tlsCert and sip\.tlsKey are set together/);
});

function within<T>(p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_r, reject) => (timer = setTimeout(() => reject(new Error('timed out')), DEADLINE)));
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}
