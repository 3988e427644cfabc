/**
 * The SIP transport layer (RFC 3261 §18, RFC 3581, RFC 7118, RFC 5626 keepalives) over real loopback
 * sockets: SipListeners + SipTransport, with node:dgram, node:net and ws clients. No sleeps: every wait
 * is for an event with a deadline; "nothing came back" is shown by a later sentinel arriving first.
 */
import test, { type ExecutionContext } from 'ava';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { connect, createServer, type Socket as TcpSocket } from 'node:net';
import { WebSocket } from 'ws';
import { createLogger } from '../src/logger.js';
import { SipListeners } from '../src/sip/listeners.js';
import { getHeader, getHeaders, type SipMessage, type SipRequest, type SipResponse } from '../src/sip/message.js';
import { parseMessage } from '../src/sip/parse.js';
import { TransactionLayer } from '../src/sip/transaction-layer.js';
import { createResponse } from '../src/sip/transaction-messages.js';
import { TransportError } from '../src/sip/transport-errors.js';
import { SipTransport, type SipTransportOptions, type TransportSource } from '../src/sip/transport.js';

const DEADLINE = 3000;

/** Things arriving over time; next() waits for one, with a deadline. */
class Inbox<T> {
  readonly items: T[] = [];
  private waiters: Array<(v: T) => void> = [];
  push(v: T): void {
    const w = this.waiters.shift();
    if (w) w(v);
    else this.items.push(v);
  }
  next(what: string, ms = DEADLINE): Promise<T> {
    if (this.items.length > 0) return Promise.resolve(this.items.shift() as T);
    return new Promise((resolve, reject) => {
      const waiter = (v: T) => {
        clearTimeout(timer);
        resolve(v);
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out waiting for ${what}`));
      }, ms);
      this.waiters.push(waiter);
    });
  }
}

function within<T>(p: Promise<T>, what: string, ms = DEADLINE): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_r, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)));
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

/** Wait for a condition, re-checked on each turn of the event loop, with a deadline. */
async function until(cond: () => boolean, what: string, ms = DEADLINE): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((r) => setImmediate(r));
  }
}

interface Delivery { message: SipMessage; source: TransportSource }

interface Server {
  transport: SipTransport;
  delivered: Inbox<Delivery>;
  egress: string[];
  port: number;
  wsPort: number;
}

async function startServer(t: ExecutionContext, opts: Partial<SipTransportOptions> = {}, autoReply = true): Promise<Server> {
  const delivered = new Inbox<Delivery>();
  const egress: string[] = [];
  const transport: SipTransport = new SipTransport({
    log: createLogger('silent'),
    mayEgress: (address, port, tr) => {
      egress.push(`${tr}:${address}:${port}`);
      return false;
    },
    ...opts,
    deliver: (message, source) => {
      delivered.push({ message, source });
      if (autoReply && message.kind === 'request' && message.method === 'OPTIONS') {
        transport.send(createResponse(message, 200, 'OK', { toTag: 'srv' }), source).catch((err: unknown) => t.log(`reply failed: ${String(err)}`));
      }
    },
  });
  const listeners = new SipListeners({ host: '127.0.0.1', port: 0, wsPort: 0 }, createLogger('silent'), transport);
  transport.attach(listeners);
  await listeners.start();
  t.teardown(async () => {
    transport.close();
    await listeners.stop();
  });
  const a = listeners.addresses();
  return { transport, delivered, egress, port: a.udp!.port, wsPort: a.ws!.port };
}

function request(method: string, callId: string, o: { via?: string; cseq?: string; contentLength?: boolean; extra?: string } = {}): string {
  const via = o.via ?? 'SIP/2.0/UDP 192.0.2.1:5060;rport;branch=z9hG4bK-' + callId;
  const lines = [
    `${method} sip:hotline@127.0.0.1 SIP/2.0`, `Via: ${via}`, 'Max-Forwards: 70', 'To: <sip:hotline@127.0.0.1>',
    'From: <sip:tester@example.com>;tag=t1', `Call-ID: ${callId}`, `CSeq: ${o.cseq ?? `1 ${method}`}`,
  ];
  if (o.extra) lines.push(o.extra);
  if (o.contentLength !== false) lines.push('Content-Length: 0');
  return `${lines.join('\r\n')}\r\n\r\n`;
}

function asResponse(t: ExecutionContext, data: Buffer): SipResponse {
  const r = parseMessage(data, { transport: 'udp' });
  if (!r.ok || r.message.kind !== 'response') throw new Error(`not a SIP response: ${data.toString().slice(0, 80)}`);
  t.pass();
  return r.message;
}

async function udpClient(t: ExecutionContext) {
  const sock = createSocket('udp4');
  const inbox = new Inbox<Buffer>();
  sock.on('message', (d) => inbox.push(d));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => sock.close(() => r())));
  const send = (text: string, port: number) => new Promise<void>((r, j) => sock.send(Buffer.from(text), port, '127.0.0.1', (e) => (e ? j(e) : r())));
  return { sock, inbox, port: sock.address().port, send };
}

async function tcpClient(t: ExecutionContext, port: number) {
  const sock = connect({ host: '127.0.0.1', port });
  sock.setNoDelay(true);
  const chunks: Buffer[] = [];
  let waiter: (() => void) | undefined;
  sock.on('data', (d: Buffer) => {
    chunks.push(d);
    waiter?.();
  });
  sock.on('error', () => {});
  const closed = once(sock, 'close');
  t.teardown(() => void sock.destroy());
  await within(once(sock, 'connect'), 'tcp connect');
  /** Wait until the received text satisfies `pred`. */
  const until = (pred: (s: string) => boolean, what: string) =>
    within(new Promise<string>((resolve) => {
      const check = () => {
        const s = Buffer.concat(chunks).toString();
        if (pred(s)) resolve(s);
      };
      waiter = check;
      check();
    }), what);
  return { sock, until, closed, write: (s: string | Buffer) => new Promise<void>((r) => sock.write(s, () => r())) };
}

async function wsClient(t: ExecutionContext, port: number, protocol?: string) {
  const ws = protocol === undefined ? new WebSocket(`ws://127.0.0.1:${port}`) : new WebSocket(`ws://127.0.0.1:${port}`, protocol);
  const inbox = new Inbox<Buffer>();
  ws.on('message', (d: Buffer) => inbox.push(d));
  ws.on('error', () => {});
  const closed = new Promise<[number, Buffer]>((r) => ws.once('close', (code: number, reason: Buffer) => r([code, reason])));
  t.teardown(() => ws.terminate());
  return { ws, inbox, closed };
}

const topVia = (m: SipMessage) => getHeaders(m, 'Via')[0] ?? '';

// ---- UDP ----

test('UDP: a valid OPTIONS is delivered with received/rport stamped; the reply goes to the packet source', async (t) => {
  const s = await startServer(t);
  const c = await udpClient(t);
  await c.send(request('OPTIONS', 'udp-ok'), s.port);
  const d = await s.delivered.next('delivery');
  t.deepEqual(d.source, { transport: 'udp', address: '127.0.0.1', port: c.port });
  t.is(topVia(d.message), `SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-udp-ok;rport=${c.port};received=127.0.0.1`);
  const res = asResponse(t, await c.inbox.next('200 at the test socket'));
  t.is(res.status, 200);
  t.is(getHeader(res, 'Call-ID'), 'udp-ok');
  t.deepEqual(s.egress, [], 'a response to a recent source needs no egress permission');
});

test('UDP: received is added for a foreign sent-by even without rport, and omitted when sent-by matches', async (t) => {
  const s = await startServer(t, {}, false);
  const c = await udpClient(t);
  await c.send(request('OPTIONS', 'v1', { via: 'SIP/2.0/UDP pc.example.com;branch=z9hG4bK-v1' }), s.port);
  t.is(topVia((await s.delivered.next('v1')).message), 'SIP/2.0/UDP pc.example.com;branch=z9hG4bK-v1;received=127.0.0.1');
  await c.send(request('OPTIONS', 'v2', { via: `SIP/2.0/UDP 127.0.0.1:${c.port};branch=z9hG4bK-v2, SIP/2.0/UDP [2001:db8::1];branch=x` }), s.port);
  t.deepEqual(getHeaders((await s.delivered.next('v2')).message, 'Via'), [`SIP/2.0/UDP 127.0.0.1:${c.port};branch=z9hG4bK-v2, SIP/2.0/UDP [2001:db8::1];branch=x`]);
});

test('UDP: a malformed request gets its error status at the source, never at the Via sent-by', async (t) => {
  const s = await startServer(t);
  const c = await udpClient(t);
  await c.send(request('OPTIONS', 'bad-cseq', { cseq: '1 INVITE' }), s.port);
  const res = asResponse(t, await c.inbox.next('400'));
  t.is(res.status, 400);
  t.is(getHeader(res, 'Call-ID'), 'bad-cseq');
  t.is(getHeader(res, 'CSeq'), '1 INVITE');
  t.regex(getHeader(res, 'To') ?? '', /;tag=/);
  t.is(topVia(res), `SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-bad-cseq;rport=${c.port};received=127.0.0.1`);
  await c.send(request('OPTIONS', 'bad-version').replace('SIP/2.0\r\n', 'SIP/7.0\r\n'), s.port);
  t.is(asResponse(t, await c.inbox.next('505')).status, 505);
  t.is(s.delivered.items.length, 0);
  t.deepEqual(s.egress, []);
});

test('UDP: a malformed response is dropped (a later sentinel is answered first)', async (t) => {
  const s = await startServer(t);
  const c = await udpClient(t);
  const badResponse = 'SIP/2.0 4294967301 better not break the receiver\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK-r\r\n' +
    'Call-ID: bad-response\r\nCSeq: 1 OPTIONS\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nContent-Length: 0\r\n\r\n';
  await c.send(badResponse, s.port);
  await c.send(request('OPTIONS', 'sentinel', { cseq: '1 BYE' }), s.port);
  t.is(getHeader(asResponse(t, await c.inbox.next('sentinel 400')), 'Call-ID'), 'sentinel');
  t.is(s.delivered.items.length, 0);
});

test('UDP: the dropRequest hook silently drops a scanner request', async (t) => {
  const s = await startServer(t, { dropRequest: (m) => getHeader(m, 'User-Agent') === 'friendly-scanner' });
  const c = await udpClient(t);
  await c.send(request('OPTIONS', 'scan', { extra: 'User-Agent: friendly-scanner' }), s.port);
  await c.send(request('OPTIONS', 'after-scan'), s.port);
  t.is(getHeader((await s.delivered.next('after-scan')).message, 'Call-ID'), 'after-scan');
  t.is(getHeader(asResponse(t, await c.inbox.next('200')), 'Call-ID'), 'after-scan', 'nothing came back for the scanner');
});

// ---- TCP ----

test('TCP: two messages in one chunk, and one message over many chunks, arrive whole on one connection', async (t) => {
  const s = await startServer(t, {}, false);
  const c = await tcpClient(t, s.port);
  await c.write(request('OPTIONS', 'a') + request('OPTIONS', 'b'));
  const a = await s.delivered.next('a');
  const b = await s.delivered.next('b');
  t.deepEqual([getHeader(a.message, 'Call-ID'), getHeader(b.message, 'Call-ID')], ['a', 'b']);
  t.like(a.source, { transport: 'tcp', address: '127.0.0.1', port: c.sock.localPort });
  t.truthy(a.source.connectionId);
  t.is(b.source.connectionId, a.source.connectionId);
  const whole = Buffer.from(request('INVITE', 'split', { extra: 'Subject: chunked' }));
  for (let at = 0; at < whole.length; at += 7) await c.write(whole.subarray(at, at + 7));
  const split = await s.delivered.next('split');
  t.is((split.message as SipRequest).method, 'INVITE');
  t.is(getHeader(split.message, 'Subject'), 'chunked');
  t.is(split.source.connectionId, a.source.connectionId);
});

test('TCP: CRLFCRLF keepalive is answered with CRLF (RFC 5626 §3.5.1)', async (t) => {
  const s = await startServer(t);
  const c = await tcpClient(t, s.port);
  await c.write('\r\n\r\n');
  t.is(await c.until((x) => x.length >= 2, 'pong'), '\r\n');
});

test('TCP: a response goes back over the same connection (by connectionId, and by peer address)', async (t) => {
  const s = await startServer(t);
  const c = await tcpClient(t, s.port);
  await c.write(request('OPTIONS', 'tcp-reply', { via: 'SIP/2.0/TCP client.invalid;branch=z9hG4bK-tr' }));
  const d = await s.delivered.next('delivery');
  t.regex(topVia(d.message), /;received=127\.0\.0\.1$/);
  await c.until((x) => x.includes('Call-ID: tcp-reply'), '200 over the connection');
  const again = createResponse(d.message as SipRequest, 200, 'Again', { toTag: 'x' });
  await s.transport.send(again, { transport: 'tcp', address: '127.0.0.1', port: c.sock.localPort! });
  await c.until((x) => x.includes('SIP/2.0 200 Again'), 'second response by peer lookup');
  t.deepEqual(s.egress, []);
  t.is(s.transport.connectionCount, 1);
});

test('TCP: a fatal framing error is answered and closes the connection', async (t) => {
  const s = await startServer(t);
  const c = await tcpClient(t, s.port);
  await c.write(request('OPTIONS', 'no-length', { contentLength: false }) + request('OPTIONS', 'never'));
  const text = await c.until((x) => x.includes('\r\n\r\n'), '400');
  t.regex(text, /^SIP\/2\.0 400 /);
  t.regex(text, /Call-ID: no-length/);
  await within(c.closed, 'close by server');
  t.is(s.delivered.items.length, 0);
});

test('TCP: an idle connection is closed after the idle timeout', async (t) => {
  const s = await startServer(t, { idleTimeoutMs: 150 });
  const c = await tcpClient(t, s.port);
  await within(c.closed, 'idle close');
  await until(() => s.transport.connectionCount === 0, 'connection removed from the table');
  t.pass();
});

test('TCP: the connection limit refuses further connections', async (t) => {
  const s = await startServer(t, { maxConnections: 1 }, false);
  const first = await tcpClient(t, s.port);
  await first.write(request('OPTIONS', 'first'));
  await s.delivered.next('first');
  const second = await tcpClient(t, s.port);
  await within(second.closed, 'second connection closed');
  const ws = await wsClient(t, s.wsPort, 'sip');
  const [code] = await within(ws.closed, 'ws closed');
  t.is(code, 1013);
  t.is(s.transport.connectionCount, 1);
  await first.write(request('OPTIONS', 'still'));
  t.is(getHeader((await s.delivered.next('still')).message, 'Call-ID'), 'still');
});

// ---- WebSocket ----

test('WS: a message without Content-Length is delivered and answered over the same socket', async (t) => {
  const s = await startServer(t);
  const c = await wsClient(t, s.wsPort, 'sip');
  await within(once(c.ws, 'open'), 'ws open');
  c.ws.send(request('OPTIONS', 'ws-1', { via: 'SIP/2.0/WS df7jal23ls0d.invalid;rport;branch=z9hG4bK-ws', contentLength: false }));
  const d = await s.delivered.next('delivery');
  t.like(d.source, { transport: 'ws', address: '127.0.0.1' });
  t.truthy(d.source.connectionId);
  t.regex(topVia(d.message), /;rport=\d+;received=127\.0\.0\.1$/);
  const res = asResponse(t, await c.inbox.next('200 over ws'));
  t.is(res.status, 200);
  t.is(getHeader(res, 'Call-ID'), 'ws-1');
});

test('WS: a subprotocol other than sip is refused', async (t) => {
  const s = await startServer(t);
  const wrong = await wsClient(t, s.wsPort, 'foo');
  await within(wrong.closed, 'foo refused');
  const none = await wsClient(t, s.wsPort);
  const [code] = await within(none.closed, 'no subprotocol refused');
  t.is(code, 1002);
  t.is(s.transport.connectionCount, 0);
});

// ---- egress ----

test('send: egress policy denies unknown destinations; WS never opens outbound', async (t) => {
  const s = await startServer(t);
  const c = await udpClient(t);
  await c.send(request('OPTIONS', 'seed', { via: 'SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK-seed' }), s.port);
  const seed = (await s.delivered.next('seed')).message as SipRequest;
  const req = seed;
  const code = (e: unknown) => (e instanceof TransportError ? e.code : String(e));
  for (const [dest, expected] of [
    [{ transport: 'udp', address: '127.0.0.2', port: 5060 }, 'egress-denied'],
    [{ transport: 'tcp', address: '127.0.0.2', port: 5060 }, 'egress-denied'],
    [{ transport: 'ws', address: '127.0.0.2', port: 5060 }, 'no-connection'],
  ] as const) {
    t.is(await s.transport.send(req, dest).then(() => 'sent', code), expected, `${dest.transport}`);
  }
  t.is(await s.transport.send(createResponse(seed, 200, 'OK'), { transport: 'udp', address: '127.0.0.1', port: 9 }).then(() => 'sent', code), 'egress-denied', 'response to a port never heard from');
  t.is(await s.transport.send(req, { transport: 'udp', address: '127.0.0.1', port: c.port }).then(() => 'sent', code), 'egress-denied', 'requests always need the policy');
  t.deepEqual(s.egress, ['udp:127.0.0.2:5060', 'tcp:127.0.0.2:5060', 'udp:127.0.0.1:9', `udp:127.0.0.1:${c.port}`]);
});

test('send: an allowed TCP destination gets a new outbound connection that also carries its replies', async (t) => {
  const peer = createServer();
  const peerSockets: TcpSocket[] = [];
  peer.on('connection', (sock) => peerSockets.push(sock));
  await new Promise<void>((r) => peer.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => {
    for (const sock of peerSockets) sock.destroy();
    peer.close(() => r());
  }));
  const peerPort = (peer.address() as { port: number }).port;
  const s = await startServer(t, { mayEgress: (a, p, tr) => a === '127.0.0.1' && p === peerPort && tr === 'tcp' });
  const msg = parseMessage(Buffer.from(request('OPTIONS', 'out', { via: 'SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK-out' })), { transport: 'stream' });
  if (!msg.ok) throw new Error('bad fixture');
  const [sock] = (await within(Promise.all([once(peer, 'connection'), s.transport.send(msg.message, { transport: 'tcp', address: '127.0.0.1', port: peerPort })]), 'outbound connect'))[0] as [TcpSocket];
  const got = await within(new Promise<string>((resolve) => {
    let text = '';
    sock.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.includes('\r\n\r\n')) resolve(text);
    });
  }), 'request at peer');
  t.regex(got, /^OPTIONS sip:hotline@127\.0\.0\.1 SIP\/2\.0\r\n/);
  sock.write(`SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK-out\r\nFrom: <sip:tester@example.com>;tag=t1\r\nTo: <sip:hotline@127.0.0.1>;tag=p\r\nCall-ID: out\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`);
  const d = await s.delivered.next('response over the outbound connection');
  t.is((d.message as SipResponse).status, 200);
  t.like(s.transport.connections()[0], { transport: 'tcp', outbound: true, port: peerPort, id: d.source.connectionId });
});

// ---- wiring with the transaction layer ----

test('wired to a real TransactionLayer: an OPTIONS over TCP gets the TU\'s 200 over the same connection', async (t) => {
  const transport = new SipTransport({
    log: createLogger('silent'),
    // `layer` is assigned below; messages arrive only after start().
    deliver: (m, source) => void layer.receive(m, source),
  });
  const layer: TransactionLayer = new TransactionLayer({
    send: (m, dest) => transport.send(m, dest),
    user: {
      request: (tx) => void tx.respond(createResponse(tx.request, 200, 'Layer OK', { toTag: 'l' })),
      ack: () => {},
      strayResponse: () => {},
    },
  });
  t.teardown(() => {
    layer.close();
    transport.close();
  });
  const listeners = new SipListeners({ host: '127.0.0.1', port: 0, wsPort: 0 }, createLogger('silent'), transport);
  transport.attach(listeners);
  await listeners.start();
  t.teardown(() => listeners.stop());
  const c = await tcpClient(t, listeners.addresses().tcp!.port);
  await c.write(request('OPTIONS', 'layered', { via: 'SIP/2.0/TCP client.invalid;branch=z9hG4bK-layered' }));
  const text = await c.until((x) => x.includes('\r\n\r\n'), '200 from the TU');
  t.regex(text, /^SIP\/2\.0 200 Layer OK\r\n/);
  t.regex(text, /Via: SIP\/2\.0\/TCP client\.invalid;branch=z9hG4bK-layered;received=127\.0\.0\.1\r\n/);
});
