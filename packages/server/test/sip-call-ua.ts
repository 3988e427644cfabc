/**
 * A small SIP user agent for call tests (UDP or WebSocket): REGISTER with digest, INVITE with digest on
 * 407, answering INVITEs (180/200 with SDP, 486, 487 on CANCEL), ACK, BYE and CANCEL. Messages are built
 * as text here, independently of the server's code; the digest response is computed with node:crypto.
 * Every wait has a deadline; nothing sleeps.
 */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import type { ExecutionContext } from 'ava';
import WebSocket from 'ws';
import { getHeader, getHeaders, type SipMessage, type SipRequest, type SipResponse } from '../src/sip/message.js';
import { parseMessage } from '../src/sip/parse.js';
import { digestAuthorization } from '../src/testing.js';

const rnd = () => randomBytes(6).toString('hex');

/** The Authorization/Proxy-Authorization value answering a challenge (RFC 7616 §3.4.1, qop=auth). */
export const digest = digestAuthorization;

export const SDP_OFFER = 'v=0\r\no=caller 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n';
export const SDP_ANSWER = 'v=0\r\no=callee 2 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40002 RTP/AVP 0\r\n';

/** An outgoing call of a UA: what it needs for ACK, BYE and CANCEL. */
export interface OutCall {
  callId: string;
  fromTag: string;
  uri: string;
  /** CSeq number of the (authenticated) INVITE. */
  cseq: number;
  /** Via of the authenticated INVITE (for CANCEL). */
  via: string;
  /** The To header of the final 2xx (with the server's tag), once answered. */
  to?: string;
  localSeq: number;
}

/** SDP for hold (RFC 3264 §8.4: a=sendonly) and its answer (a=recvonly). */
export const SDP_HOLD = `${SDP_OFFER}a=sendonly\r\n`;
export const SDP_HELD = `${SDP_ANSWER}a=recvonly\r\n`;

/** One side of a dialog, as a test UA keeps it for in-dialog requests (§12.2.1.1). */
export interface UaDialog {
  callId: string;
  /** From value with our tag, To value with theirs. */
  local: string;
  remote: string;
  /** Request-URI (the remote target). */
  target: string;
  /** Last CSeq number we used. */
  seq: number;
}

/** The caller's dialog of an answered outgoing call (shares its CSeq with `bye`). */
export function callerDialog(ua: CallUa, c: OutCall): UaDialog {
  return {
    callId: c.callId, local: `<sip:${ua.user}@127.0.0.1>;tag=${c.fromTag}`, remote: c.to!, target: c.uri,
    get seq() { return c.localSeq; },
    set seq(v: number) { c.localSeq = v; },
  };
}

/** The callee's dialog of an INVITE it answered with `toTag`. */
export function calleeDialog(invite: SipRequest, toTag: string): UaDialog {
  return {
    callId: getHeader(invite, 'Call-ID')!, local: `${getHeader(invite, 'To')!};tag=${toTag}`, remote: getHeader(invite, 'From')!,
    target: /<([^>]+)>/.exec(getHeader(invite, 'Contact')!)![1]!, seq: 0,
  };
}

export class CallUa {
  private readonly queue: SipMessage[] = [];
  private readonly waiters: Array<{ match: (m: SipMessage) => boolean; resolve: (m: SipMessage) => void }> = [];
  /** `Call-ID CSeq` of challenged INVITEs: a retransmitted 407 (Timer G, before our ACK got there) is dropped. */
  private readonly challenged = new Set<string>();
  /**
   * `branch CSeq` of requests received: a UDP retransmission of one (Timer A/E fired before our answer
   * got there, e.g. on a loaded machine) is absorbed, as a UAS's server transaction would (RFC 3261
   * §17.2.1, §17.2.2), so `request(method)` always means a new request.
   */
  private readonly received = new Set<string>();
  readonly user: string;
  private readonly password: string;
  private readonly transport: 'UDP' | 'WS';
  private readonly sendText: (text: string) => Promise<void>;
  readonly host: string;
  readonly contact: string;

  constructor(o: { user: string; password: string; transport: 'UDP' | 'WS'; host: string; send: (text: string) => Promise<void> }) {
    this.user = o.user;
    this.password = o.password;
    this.transport = o.transport;
    this.sendText = o.send;
    this.host = o.host;
    this.contact = `<sip:${o.user}@${o.host}${o.transport === 'WS' ? ';transport=ws' : ''}>`;
  }

  deliver(data: Buffer): void {
    const r = parseMessage(data, { transport: 'udp' });
    if (!r.ok) return;
    if (r.message.kind === 'response' && this.challenged.has(`${getHeader(r.message, 'Call-ID')} ${getHeader(r.message, 'CSeq')}`)) return;
    if (r.message.kind === 'request') {
      const key = `${/branch=([^;,\s]+)/i.exec(getHeader(r.message, 'Via') ?? '')?.[1]} ${getHeader(r.message, 'CSeq')}`;
      if (this.received.has(key)) return;
      this.received.add(key);
    }
    const i = this.waiters.findIndex((w) => w.match(r.message));
    if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(r.message);
    else this.queue.push(r.message);
  }

  /** Messages that arrived and nobody waited for. */
  queueLength(): number {
    return this.queue.length;
  }

  /** Messages that arrived and nobody waited for (a copy). */
  unclaimed(): SipMessage[] {
    return [...this.queue];
  }

  send(text: string): Promise<void> {
    return this.sendText(text);
  }

  /** The next message matching `match` (queued or arriving within `timeoutMs`). */
  wait<T extends SipMessage>(what: string, match: (m: SipMessage) => boolean, timeoutMs = 10_000): Promise<T> {
    const i = this.queue.findIndex(match);
    if (i >= 0) return Promise.resolve(this.queue.splice(i, 1)[0] as T);
    return new Promise((resolve, reject) => {
      const w = { match, resolve: (m: SipMessage) => (clearTimeout(timer), resolve(m as T)) };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error(`${this.user}: no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  request(method: string, timeoutMs?: number): Promise<SipRequest> {
    return this.wait(method, (m) => m.kind === 'request' && m.method === method, timeoutMs);
  }

  response(callId: string, method: string, minStatus = 100, timeoutMs?: number): Promise<SipResponse> {
    return this.wait(`${method} response >= ${minStatus}`, (m) =>
      m.kind === 'response' && getHeader(m, 'Call-ID') === callId && (getHeader(m, 'CSeq') ?? '').endsWith(` ${method}`) && m.status >= minStatus, timeoutMs);
  }

  private via(branch = `z9hG4bK${rnd()}`): string {
    return `SIP/2.0/${this.transport} ${this.host};rport;branch=${branch}`;
  }

  /** REGISTER with digest (401 then credentials); resolves with the final response. */
  async register(expires = 600): Promise<SipResponse> {
    const callId = `reg-${rnd()}`;
    const uri = 'sip:127.0.0.1';
    const text = (cseq: number, auth?: string) => [
      `REGISTER ${uri} SIP/2.0`, `Via: ${this.via()}`, 'Max-Forwards: 70', `From: <sip:${this.user}@127.0.0.1>;tag=${rnd()}`,
      `To: <sip:${this.user}@127.0.0.1>`, `Call-ID: ${callId}`, `CSeq: ${cseq} REGISTER`, `Contact: ${this.contact}`, `Expires: ${expires}`,
      ...(auth ? [`Authorization: ${auth}`] : []), 'Content-Length: 0', '', '',
    ].join('\r\n');
    await this.send(text(1));
    const first = await this.response(callId, 'REGISTER', 200);
    if (first.status !== 401) return first;
    const challenge = getHeaders(first, 'WWW-Authenticate').find((c) => /SHA-256/.test(c))!;
    await this.send(text(2, digest(challenge, 'REGISTER', uri, this.user, this.password)));
    return this.response(callId, 'REGISTER', 200);
  }

  private inviteText(c: OutCall, auth?: string): string {
    return [
      `INVITE ${c.uri} SIP/2.0`, `Via: ${c.via}`, 'Max-Forwards: 70', `From: <sip:${this.user}@127.0.0.1>;tag=${c.fromTag}`,
      `To: <${c.uri}>`, `Call-ID: ${c.callId}`, `CSeq: ${c.cseq} INVITE`, `Contact: ${this.contact}`,
      ...(auth ? [`Proxy-Authorization: ${auth}`] : []), 'Content-Type: application/sdp', `Content-Length: ${Buffer.byteLength(SDP_OFFER)}`, '', SDP_OFFER,
    ].join('\r\n');
  }

  /** INVITE `target`: 407 is answered with digest; resolves once the authenticated INVITE is sent. */
  async invite(target: string): Promise<OutCall> {
    const c: OutCall = { callId: `call-${rnd()}`, fromTag: rnd(), uri: `sip:${target}@127.0.0.1`, cseq: 1, via: this.via(), localSeq: 2 };
    await this.send(this.inviteText(c));
    const challenged = await this.response(c.callId, 'INVITE', 200);
    if (challenged.status !== 407) throw new Error(`INVITE without credentials got ${challenged.status}, not 407`);
    this.challenged.add(`${c.callId} ${c.cseq} INVITE`);
    await this.send(this.ackText(c, getHeader(challenged, 'To')!, c.via));
    const challenge = getHeaders(challenged, 'Proxy-Authenticate').find((v) => /SHA-256/.test(v))!;
    c.cseq = 2;
    c.localSeq = 2;
    c.via = this.via();
    await this.send(this.inviteText(c, digest(challenge, 'INVITE', c.uri, this.user, this.password)));
    return c;
  }

  private ackText(c: OutCall, to: string, via = this.via()): string {
    return [`ACK ${c.uri} SIP/2.0`, `Via: ${via}`, 'Max-Forwards: 70', `From: <sip:${this.user}@127.0.0.1>;tag=${c.fromTag}`,
      `To: ${to}`, `Call-ID: ${c.callId}`, `CSeq: ${c.cseq} ACK`, 'Content-Length: 0', '', ''].join('\r\n');
  }

  /** ACK the 2xx of an outgoing call (new branch, §13.2.2.4). */
  async ack(c: OutCall, ok: SipResponse): Promise<void> {
    c.to = getHeader(ok, 'To')!;
    await this.send(this.ackText(c, c.to));
  }

  /** BYE on an answered outgoing call; resolves with its final response. */
  async bye(c: OutCall): Promise<SipResponse> {
    const seq = ++c.localSeq;
    await this.send([`BYE ${c.uri} SIP/2.0`, `Via: ${this.via()}`, 'Max-Forwards: 70', `From: <sip:${this.user}@127.0.0.1>;tag=${c.fromTag}`,
      `To: ${c.to}`, `Call-ID: ${c.callId}`, `CSeq: ${seq} BYE`, 'Content-Length: 0', '', ''].join('\r\n'));
    return this.response(c.callId, 'BYE', 200);
  }

  /** CANCEL the pending INVITE of an outgoing call; resolves with the CANCEL's final response. */
  async cancel(c: OutCall): Promise<SipResponse> {
    await this.send([`CANCEL ${c.uri} SIP/2.0`, `Via: ${c.via}`, 'Max-Forwards: 70', `From: <sip:${this.user}@127.0.0.1>;tag=${c.fromTag}`,
      `To: <${c.uri}>`, `Call-ID: ${c.callId}`, `CSeq: ${c.cseq} CANCEL`, 'Content-Length: 0', '', ''].join('\r\n'));
    return this.response(c.callId, 'CANCEL', 200);
  }

  /** Answer a received request: Via/From/Call-ID/CSeq copied, To tagged, our Contact, an optional SDP body. */
  async reply(request: SipRequest, status: number, reason: string, o: { toTag?: string; sdp?: string } = {}): Promise<void> {
    const to = getHeader(request, 'To')!;
    const lines = [
      `SIP/2.0 ${status} ${reason}`, ...getHeaders(request, 'Via').map((v) => `Via: ${v}`), `From: ${getHeader(request, 'From')}`,
      `To: ${o.toTag && !/;tag=/.test(to) ? `${to};tag=${o.toTag}` : to}`, `Call-ID: ${getHeader(request, 'Call-ID')}`, `CSeq: ${getHeader(request, 'CSeq')}`,
      `Contact: ${this.contact}`,
    ];
    if (o.sdp) lines.push('Content-Type: application/sdp', `Content-Length: ${Buffer.byteLength(o.sdp)}`, '', o.sdp);
    else lines.push('Content-Length: 0', '', '');
    await this.send(lines.join('\r\n'));
  }

  /**
   * Send `method` within dialog `d` (next CSeq, or `o.cseq` for an ACK) with an optional body; resolves with
   * the CSeq number used. Wait for the answer with `response(d.callId, method)`.
   */
  async sendInDialog(d: UaDialog, method: string, o: { body?: string; contentType?: string; cseq?: number; headers?: string[] } = {}): Promise<number> {
    const seq = method === 'ACK' ? (o.cseq ?? d.seq) : ++d.seq;
    const lines = [`${method} ${d.target} SIP/2.0`, `Via: ${this.via()}`, 'Max-Forwards: 70', `From: ${d.local}`, `To: ${d.remote}`,
      `Call-ID: ${d.callId}`, `CSeq: ${seq} ${method}`, ...(method === 'INVITE' || method === 'REFER' ? [`Contact: ${this.contact}`] : []), ...(o.headers ?? [])];
    if (o.body !== undefined) lines.push(`Content-Type: ${o.contentType ?? 'application/sdp'}`, `Content-Length: ${Buffer.byteLength(o.body)}`, '', o.body);
    else lines.push('Content-Length: 0', '', '');
    await this.send(lines.join('\r\n'));
    return seq;
  }

  /** The next request `method` within the dialog with Call-ID `callId`. */
  requestIn(callId: string, method: string, timeoutMs?: number): Promise<SipRequest> {
    return this.wait(`${method} in ${callId}`, (m) => m.kind === 'request' && m.method === method && getHeader(m, 'Call-ID') === callId, timeoutMs);
  }

  /** Send BYE within a dialog we answered as UAS (the INVITE we got, our To tag). */
  async byeAsCallee(invite: SipRequest, toTag: string): Promise<SipResponse> {
    const callId = getHeader(invite, 'Call-ID')!;
    const contact = /<([^>]+)>/.exec(getHeader(invite, 'Contact')!)![1]!;
    await this.send([`BYE ${contact} SIP/2.0`, `Via: ${this.via()}`, 'Max-Forwards: 70',
      `From: ${getHeader(invite, 'To')};tag=${toTag}`, `To: ${getHeader(invite, 'From')}`, `Call-ID: ${callId}`, 'CSeq: 1 BYE',
      'Content-Length: 0', '', ''].join('\r\n'));
    return this.response(callId, 'BYE', 200);
  }
}

/** A UA over UDP from its own socket on 127.0.0.1, talking to the server's UDP port. */
export async function udpUa(t: ExecutionContext, serverPort: number, user: string, password: string): Promise<CallUa> {
  const sock = createSocket('udp4');
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', () => resolve()));
  const port = sock.address().port;
  const ua = new CallUa({
    user, password, transport: 'UDP', host: `127.0.0.1:${port}`,
    send: (text) => new Promise((resolve, reject) => sock.send(text, serverPort, '127.0.0.1', (e) => (e ? reject(e) : resolve()))),
  });
  sock.on('message', (data) => ua.deliver(data));
  t.teardown(() => new Promise<void>((r) => sock.close(() => r())));
  return ua;
}

/** A UA over SIP WebSocket (RFC 7118), as a browser softphone would connect. */
export async function wsUa(t: ExecutionContext, serverPort: number, user: string, password: string): Promise<CallUa> {
  const ws = new WebSocket(`ws://127.0.0.1:${serverPort}`, 'sip');
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const ua = new CallUa({
    user, password, transport: 'WS', host: `${rnd()}.invalid`,
    send: (text) => new Promise((resolve, reject) => ws.send(text, (e) => (e ? reject(e) : resolve()))),
  });
  ws.on('message', (data: Buffer) => ua.deliver(data));
  t.teardown(() => new Promise<void>((r) => {
    if (ws.readyState === ws.CLOSED) return r();
    ws.once('close', () => r());
    ws.close(1000);
  }));
  return ua;
}
