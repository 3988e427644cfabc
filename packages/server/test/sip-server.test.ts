/**
 * The running server speaks SIP (transport -> transaction layer -> SipCore): OPTIONS is answered over
 * UDP, TCP and WebSocket; the other methods get their honest placeholder answers; retransmissions are
 * absorbed by the transaction; scanners get silence; malformed requests get 400 at the source; and the
 * RFC 4475/5118 torture corpus replayed as UDP datagrams leaves the server answering and healthy.
 *
 * Ordering instead of sleeps: the server handles one socket's datagrams in order and answers each
 * synchronously, so the answer to a sentinel OPTIONS sent last arrives after every earlier answer.
 */
import test, { type ExecutionContext } from 'ava';
import { createSocket, type Socket } from 'node:dgram';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { getCallId, getCSeq, getVias } from '../src/sip/fields.js';
import { getHeader, getHeaderValues, type SipResponse } from '../src/sip/message.js';
import { parseMessage } from '../src/sip/parse.js';
import { toTagOf } from '../src/sip/transaction-messages.js';
import { serve } from './helpers.js';

const ALLOW = ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'INFO', 'REFER', 'NOTIFY', 'REGISTER'];
let seq = 0;

interface Req {
  method?: string;
  branch?: string;
  callId?: string;
  cseq?: number;
  transport?: string;
  headers?: string[];
}

function sipRequest(r: Req = {}): { text: string; branch: string; callId: string; cseq: number } {
  const method = r.method ?? 'OPTIONS';
  const n = ++seq;
  const branch = r.branch ?? `z9hG4bKtest${process.pid}x${n}`;
  const callId = r.callId ?? `call-${process.pid}-${n}@127.0.0.1`;
  const cseq = r.cseq ?? n;
  const text = [
    `${method} sip:hotline@127.0.0.1 SIP/2.0`,
    `Via: SIP/2.0/${r.transport ?? 'UDP'} 127.0.0.1:5999;branch=${branch}`,
    'Max-Forwards: 70',
    `From: <sip:tester@127.0.0.1>;tag=from${n}`,
    'To: <sip:hotline@127.0.0.1>',
    `Call-ID: ${callId}`,
    `CSeq: ${cseq} ${method}`,
    ...(r.headers ?? []),
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  return { text, branch, callId, cseq };
}

function parseResponse(data: Buffer, transport: 'udp' | 'stream' = 'udp'): SipResponse {
  const r = parseMessage(data, { transport });
  if (!r.ok) throw new Error(`unparseable answer: ${r.error.reason}\n${data.toString('latin1')}`);
  if (r.message.kind !== 'response') throw new Error(`expected a response, got ${r.message.method}`);
  return r.message;
}

/**
 * Status line and raw header values of an answer. Error answers to malformed requests echo what they
 * could salvage (possibly the malformed header itself), so they need not parse.
 */
function rawAnswer(data: Buffer): { status: number; header(name: string): string | undefined } {
  const lines = data.toString('latin1').split('\r\n');
  const status = /^SIP\/2\.0 (\d{3}) /.exec(lines[0] ?? '');
  if (!status) throw new Error(`not a SIP response: ${lines[0]}`);
  return {
    status: Number(status[1]),
    header: (name) => lines.find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))?.replace(/^[^:]*:\s*/, ''),
  };
}

/** A UDP client: datagrams queue up; next() takes the oldest (or waits, failing after 10 s). */
async function udpClient(t: ExecutionContext, port: number) {
  const sock: Socket = createSocket('udp4');
  const queue: Buffer[] = [];
  const waiters: Array<(b: Buffer) => void> = [];
  sock.on('message', (data) => {
    const w = waiters.shift();
    if (w) w(data);
    else queue.push(data);
  });
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', () => resolve()));
  t.teardown(() => new Promise<void>((r) => sock.close(() => r())));
  return {
    send: (msg: string | Buffer) => new Promise<void>((resolve, reject) => sock.send(msg, port, '127.0.0.1', (e) => (e ? reject(e) : resolve()))),
    next(): Promise<Buffer> {
      const ready = queue.shift();
      if (ready) return Promise.resolve(ready);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no SIP answer within 10 s')), 10_000);
        waiters.push((b) => {
          clearTimeout(timer);
          resolve(b);
        });
      });
    },
    /**
     * The next response, or with `callId` the next one for that call: INVITE answers over UDP are
     * retransmitted (Timer G) until an ACK, so a late copy may come before the answer awaited.
     */
    async response(callId?: string): Promise<SipResponse> {
      for (;;) {
        const res = parseResponse(await this.next());
        if (callId === undefined || getCallId(res) === callId) return res;
      }
    },
  };
}

async function sipPorts(t: ExecutionContext) {
  const s = await serve(t);
  const l = (await s.admin.status()).listeners;
  return { s, udp: l['sipUdp']!.port, tcp: l['sipTcp']!.port, ws: l['sipWs']!.port };
}

function assertOptionsOk(t: ExecutionContext, res: SipResponse, sent: { callId: string; cseq: number; branch: string }) {
  t.is(res.status, 200);
  t.deepEqual(getHeaderValues(res, 'Allow'), ALLOW);
  t.is(getHeader(res, 'Accept'), 'application/sdp');
  t.is(getHeader(res, 'Supported'), 'replaces');
  t.is(getCallId(res), sent.callId);
  t.deepEqual(getCSeq(res), { seq: sent.cseq, method: 'OPTIONS' });
  t.is(getVias(res)?.[0]?.branch, sent.branch);
  t.truthy(toTagOf(res), 'To tag added');
  t.regex(getHeader(res, 'Server') ?? '', /^Hotline\/\d+\.\d+\.\d+/);
}

test('OPTIONS over UDP gets 200 with Allow; a retransmission gets the same response again', async (t) => {
  const { udp } = await sipPorts(t);
  const c = await udpClient(t, udp);
  const req = sipRequest();
  await c.send(req.text);
  const first = await c.next();
  assertOptionsOk(t, parseResponse(first), req);
  await c.send(req.text);
  const again = await c.next();
  t.deepEqual(again, first, 'the transaction resends its response (same To tag)');
});

test('OPTIONS over TCP gets 200 with Allow on the same connection', async (t) => {
  const { tcp } = await sipPorts(t);
  const req = sipRequest({ transport: 'TCP' });
  const data = await new Promise<Buffer>((resolve, reject) => {
    const sock = connect(tcp, '127.0.0.1');
    t.teardown(() => sock.destroy());
    let buf = Buffer.alloc(0);
    sock.on('connect', () => sock.write(req.text));
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.includes('\r\n\r\n')) resolve(buf);
    });
    sock.on('error', reject);
  });
  assertOptionsOk(t, parseResponse(data, 'stream'), req);
});

test('OPTIONS over WebSocket (subprotocol sip) gets 200 with Allow', async (t) => {
  const { ws: port } = await sipPorts(t);
  const req = sipRequest({ transport: 'WS' });
  const ws = new WebSocket(`ws://127.0.0.1:${port}`, 'sip');
  t.teardown(() => ws.terminate());
  const data = await new Promise<Buffer>((resolve, reject) => {
    ws.on('open', () => ws.send(req.text));
    ws.on('message', (d) => resolve(Buffer.isBuffer(d) ? d : Buffer.from(d as ArrayBuffer)));
    ws.on('error', reject);
  });
  t.is(ws.protocol, 'sip');
  assertOptionsOk(t, parseResponse(data), req);
});

test('methods without a service yet get honest answers; Require gets 420; Max-Forwards 0 gets 483 except OPTIONS', async (t) => {
  const { udp } = await sipPorts(t);
  const c = await udpClient(t, udp);
  const cases: Array<[Req, number, (res: SipResponse) => void]> = [
    // The B2BUA (sip-calls.test.ts): no credentials, so a proxy challenge per algorithm.
    [{ method: 'INVITE' }, 407, (res) => t.is(getHeaderValues(res, 'Proxy-Authenticate').length, 2)],
    // The registrar (sip-registrar.test.ts): no credentials, so a challenge per algorithm.
    [{ method: 'REGISTER' }, 401, (res) => t.is(getHeaderValues(res, 'WWW-Authenticate').length, 2)],
    [{ method: 'BYE' }, 481, () => {}],
    [{ method: 'CANCEL' }, 481, () => {}],
    [{ method: 'INFO' }, 481, () => {}],
    [{ method: 'NOTIFY' }, 481, () => {}],
    [{ method: 'REFER' }, 481, () => {}],
    [{ method: 'SUBSCRIBE' }, 405, (res) => t.deepEqual(getHeaderValues(res, 'Allow'), ALLOW)],
    [{ method: 'FROBNICATE' }, 405, (res) => t.deepEqual(getHeaderValues(res, 'Allow'), ALLOW)],
    [{ headers: ['Require: foo'] }, 420, (res) => t.is(getHeader(res, 'Unsupported'), 'foo')],
    [{ method: 'INVITE', headers: ['Require: 100rel, foo'] }, 420, (res) => t.deepEqual(getHeaderValues(res, 'Unsupported'), ['100rel', 'foo'])],
  ];
  for (const [r, status, check] of cases) {
    const req = sipRequest(r);
    await c.send(req.text);
    const res = await c.response(req.callId);
    t.is(res.status, status, `${r.method ?? 'OPTIONS'} ${r.headers?.join() ?? ''}`);
    t.is(getCallId(res), req.callId);
    t.is(getCSeq(res)?.method, r.method ?? 'OPTIONS');
    t.truthy(toTagOf(res));
    check(res);
  }
  // Max-Forwards: 0. The request text has one Max-Forwards line; replace its value.
  const hop = (method: string) => {
    const r = sipRequest({ method });
    return { ...r, text: r.text.replace('Max-Forwards: 70', 'Max-Forwards: 0') };
  };
  const hopOptions = hop('OPTIONS');
  await c.send(hopOptions.text);
  t.is((await c.response(hopOptions.callId)).status, 200, 'OPTIONS with Max-Forwards 0: we are the target');
  const hopInvite = hop('INVITE');
  await c.send(hopInvite.text);
  t.is((await c.response(hopInvite.callId)).status, 483);
  // A CANCEL for a live INVITE transaction: 200 with the INVITE response's To tag (§9.2).
  const invite = sipRequest({ method: 'INVITE' });
  await c.send(invite.text);
  const r407 = await c.response(invite.callId);
  t.is(r407.status, 407);
  await c.send(sipRequest({ method: 'CANCEL', branch: invite.branch, callId: invite.callId, cseq: invite.cseq }).text.replace(/From: [^\r]*/, invite.text.match(/From: [^\r]*/)![0]));
  let cancel = await c.response(invite.callId);
  while (getCSeq(cancel)?.method !== 'CANCEL') cancel = await c.response(invite.callId);
  t.is(cancel.status, 200);
  t.is(toTagOf(cancel), toTagOf(r407));
});

test('a scanner user agent gets no answer at all', async (t) => {
  const { udp } = await sipPorts(t);
  const c = await udpClient(t, udp);
  await c.send(sipRequest({ headers: ['User-Agent: friendly-scanner'] }).text);
  await c.send(sipRequest({ method: 'REGISTER', headers: ['User-Agent: sipvicious'] }).text);
  const sentinel = sipRequest();
  await c.send(sentinel.text);
  const first = await c.response();
  t.is(getCallId(first), sentinel.callId, 'the sentinel is answered first: the scanner got nothing');
});

test('a malformed request gets 400 at its source', async (t) => {
  const { udp } = await sipPorts(t);
  const c = await udpClient(t, udp);
  // Via names a host that is not the source: the answer still comes back here.
  await c.send('OPTIONS sip:hotline@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKbad\r\nCSeq: nope\r\nContent-Length: 0\r\n\r\n');
  const res = rawAnswer(await c.next());
  t.is(res.status, 400);
  t.regex(res.header('Via') ?? '', /branch=z9hG4bKbad/);
});

function tortureDir(): string | undefined {
  const fromEnv = process.env['HOTLINE_SIP_TORTURE_DIR'];
  const dir = fromEnv ? fromEnv.replace(/\/?$/, '/') : fileURLToPath(new URL('../../../../../shared/sip-torture/', import.meta.url));
  return existsSync(`${dir}index.tsv`) ? dir : undefined;
}

const dir = tortureDir();
if (!dir) {
  test.skip('SIP torture replay: corpus not found (<repo>/../shared/sip-torture or HOTLINE_SIP_TORTURE_DIR)', () => {});
} else {
  test('the RFC 4475/5118 torture corpus as UDP datagrams: at most one final answer per request, none for responses, still serving', async (t) => {
    const { s, udp } = await sipPorts(t);
    const files = readFileSync(`${dir}index.tsv`, 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t')[0]!);
    t.true(files.length > 30);
    let answered = 0;
    // One socket per message: the corpus reuses branches and Call-IDs across messages, so answers are
    // told apart by where they arrive. A duplicate of an earlier transaction is answered at that
    // transaction's source, so this socket gets nothing for it.
    for (const file of files) {
      const data = readFileSync(`${dir}${file}`);
      const isResponse = data.subarray(0, 8).toString('latin1').startsWith('SIP/');
      const c = await udpClient(t, udp);
      await c.send(data);
      const sentinel = sipRequest();
      await c.send(sentinel.text);
      // Everything before the sentinel's answer; a UDP retransmission (Timer G) repeats identical bytes.
      const answers = new Set<string>();
      for (;;) {
        const got = await c.next();
        const res = rawAnswer(got);
        if (res.header('Call-ID') === sentinel.callId) {
          t.is(res.status, 200, file);
          break;
        }
        t.true(res.status >= 200, `${file}: only final answers (got ${res.status})`);
        answers.add(got.toString('latin1'));
      }
      t.true(answers.size <= (isResponse ? 0 : 1), `${file}: ${answers.size} answers`);
      answered += answers.size;
    }
    t.true(answered > 20, `${answered} torture requests answered`);
    t.deepEqual(await s.admin.health(), { status: 'ok' });
    const c = await udpClient(t, udp);
    const after = sipRequest();
    await c.send(after.text);
    assertOptionsOk(t, await c.response(), after);
  });
}
