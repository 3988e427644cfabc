/**
 * A tiny REGISTER-only user agent for the registrar tests. The digest response is computed here with
 * node:crypto from the password (RFC 7616 §3.4.1, qop=auth), independently of the server's code.
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import type { ExecutionContext } from 'ava';
import WebSocket from 'ws';
import { getHeaders, type SipResponse } from '../src/sip/message.js';
import { parseMessage } from '../src/sip/parse.js';
import { digestAuthorization } from '../src/testing.js';

export interface RegisterSpec {
  /** To user (the AOR) and, unless `authUser` is given, the digest username. */
  user: string;
  /** Contacts as header values, e.g. `<sip:1001@127.0.0.1:5070>`; omit for a query. */
  contacts?: string[];
  expires?: number;
  callId: string;
  cseq: number;
  /** Via transport token (UDP, WS). */
  transport?: string;
  authorization?: string;
  headers?: string[];
}

export const REGISTER_URI = 'sip:127.0.0.1';

export function registerText(r: RegisterSpec): string {
  const lines = [
    `REGISTER ${REGISTER_URI} SIP/2.0`,
    `Via: SIP/2.0/${r.transport ?? 'UDP'} 127.0.0.1:5999;branch=z9hG4bK${randomBytes(8).toString('hex')};rport`,
    'Max-Forwards: 70',
    `From: <sip:${r.user}@127.0.0.1>;tag=${randomBytes(4).toString('hex')}`,
    `To: <sip:${r.user}@127.0.0.1>`,
    `Call-ID: ${r.callId}`,
    `CSeq: ${r.cseq} REGISTER`,
    ...(r.contacts ?? []).map((c) => `Contact: ${c}`),
    ...(r.expires !== undefined ? [`Expires: ${r.expires}`] : []),
    'User-Agent: registrar-test/1',
    ...(r.authorization ? [`Authorization: ${r.authorization}`] : []),
    ...(r.headers ?? []),
    'Content-Length: 0',
    '',
    '',
  ];
  return lines.join('\r\n');
}

function param(challenge: string, name: string): string | undefined {
  const m = new RegExp(`(?:^|[\\s,])${name}=(?:"([^"]*)"|([^,\\s]+))`, 'i').exec(challenge.replace(/^Digest\s+/i, ' '));
  return m ? (m[1] ?? m[2]) : undefined;
}

/** The Authorization value answering `challenge` (a WWW-Authenticate value) for REGISTER. */
export function authorize(challenge: string, username: string, password: string, uri = REGISTER_URI): string {
  return digestAuthorization(challenge, 'REGISTER', uri, username, password);
}

/** The challenge for `algorithm` among a 401's WWW-Authenticate values. */
export function challengeFor(res: SipResponse, algorithm: 'SHA-256' | 'MD5'): string {
  const c = getHeaders(res, 'WWW-Authenticate').find((v) => param(v, 'algorithm') === algorithm);
  if (!c) throw new Error(`no ${algorithm} challenge in ${res.status}`);
  return c;
}

function toResponse(data: Buffer): SipResponse {
  const r = parseMessage(data, { transport: 'udp' });
  if (!r.ok || r.message.kind !== 'response') throw new Error(`not a SIP response: ${data.toString('latin1').slice(0, 200)}`);
  return r.message;
}

export interface SipPeer {
  send(text: string): Promise<void>;
  /** The next response (fails after `timeoutMs`, default 10 s). */
  next(timeoutMs?: number): Promise<SipResponse>;
  /** Send a REGISTER and wait for its final answer (each wait up to `timeoutMs`, default 10 s). */
  request(r: RegisterSpec, timeoutMs?: number): Promise<SipResponse>;
  /**
   * REGISTER with digest: first without credentials (expects 401), then with the `algorithm`
   * challenge answered with `password` as `authUser` (default: the To user); CSeq counts up.
   */
  register(r: Omit<RegisterSpec, 'authorization'>, password: string, o?: { authUser?: string; algorithm?: 'SHA-256' | 'MD5' }): Promise<SipResponse>;
  /** How many datagrams/messages arrived that nobody has read yet. */
  unread(): number;
  close(): Promise<void>;
}

function peer(send: (text: string) => Promise<void>, close: () => Promise<void>): { peer: SipPeer; deliver(data: Buffer): void } {
  const queue: Buffer[] = [];
  const waiters: Array<(b: Buffer) => void> = [];
  const p: SipPeer = {
    send,
    close,
    unread: () => queue.length,
    next(timeoutMs = 10_000) {
      const ready = queue.shift();
      if (ready) return Promise.resolve(toResponse(ready));
      return new Promise((resolve, reject) => {
        const w = (b: Buffer) => {
          clearTimeout(timer);
          try {
            resolve(toResponse(b));
          } catch (err) {
            reject(err as Error);
          }
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`no SIP answer within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push(w);
      });
    },
    async request(r, timeoutMs) {
      await send(registerText(r));
      for (;;) {
        const res = await p.next(timeoutMs);
        if (res.status >= 200) return res;
      }
    },
    async register(r, password, o = {}) {
      const first = await p.request(r);
      if (first.status !== 401) return first;
      const authorization = authorize(challengeFor(first, o.algorithm ?? 'SHA-256'), o.authUser ?? r.user, password);
      return p.request({ ...r, cseq: r.cseq + 1, authorization });
    },
  };
  return {
    peer: p,
    deliver: (data) => {
      const w = waiters.shift();
      if (w) w(data);
      else queue.push(data);
    },
  };
}

/** A UDP peer bound to `address` (any 127.x address works on Linux loopback). */
export async function udpPeer(t: ExecutionContext, port: number, address = '127.0.0.1'): Promise<SipPeer> {
  const sock: Socket = createSocket('udp4');
  await new Promise<void>((resolve) => sock.bind(0, address, () => resolve()));
  let closed = false;
  const close = () => (closed ? Promise.resolve() : new Promise<void>((r) => ((closed = true), sock.close(() => r()))));
  const p = peer((text) => new Promise((resolve, reject) => sock.send(text, port, '127.0.0.1', (e) => (e ? reject(e) : resolve()))), close);
  sock.on('message', p.deliver);
  t.teardown(close);
  return p.peer;
}

export async function wsPeer(t: ExecutionContext, port: number): Promise<SipPeer & { ws: WebSocket }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}`, 'sip');
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const close = () => new Promise<void>((r) => {
    if (ws.readyState === ws.CLOSED) return r();
    ws.once('close', () => r());
    ws.close(1000);
  });
  const p = peer((text) => new Promise((resolve, reject) => ws.send(text, (e) => (e ? reject(e) : resolve()))), close);
  ws.on('message', (data: Buffer) => p.deliver(data));
  t.teardown(close);
  return Object.assign(p.peer, { ws });
}
