/**
 * Test support for the SIP transaction layer: realistic messages parsed from raw text, an in-memory
 * transport that records (serialized and re-parsed) what is sent and when, and a TU that records what
 * the layer hands it. Everything runs under a FakeClock.
 */
import { FakeClock } from '../src/sip/clock.js';
import type { ClientTransaction } from '../src/sip/client-transaction.js';
import { serializeMessage, type SipMessage, type SipRequest, type SipResponse } from '../src/sip/message.js';
import { parseMessage } from '../src/sip/parse.js';
import type { ServerTransaction } from '../src/sip/server-transaction.js';
import type { TimerConfig } from '../src/sip/timers.js';
import { type Disposition, TransactionLayer } from '../src/sip/transaction-layer.js';
import { createResponse } from '../src/sip/transaction-messages.js';
import type { ClientEvent, ServerEvent, TransitionTrace, TransportAddress, TransportName } from '../src/sip/transaction-types.js';

export const ALICE: TransportAddress = { transport: 'udp', address: '192.0.2.10', port: 5060 };
export const CARRIER: TransportAddress = { transport: 'udp', address: '198.51.100.7', port: 5060 };

export function over(peer: TransportAddress, transport: TransportName): TransportAddress {
  return { ...peer, transport };
}

/** Parse raw SIP text (lines joined with CRLF); throws when the parser rejects it. */
export function parse(lines: string[], body = ''): SipMessage {
  const raw = `${lines.join('\r\n')}\r\n\r\n${body}`;
  const r = parseMessage(Buffer.from(raw, 'utf8'), { transport: 'udp' });
  if (!r.ok) throw new Error(`test message rejected: ${r.error.code} ${r.error.reason}`);
  return r.message;
}

/** Serialize and parse back: what the peer would see on the wire. */
export function wire<T extends SipMessage>(m: T): T {
  const r = parseMessage(serializeMessage(m), { transport: 'udp' });
  if (!r.ok) throw new Error(`sent message does not parse: ${r.error.code} ${r.error.reason}`);
  return r.message as T;
}

export interface RequestSpec {
  method?: string;
  uri?: string;
  branch?: string;
  /** Top Via sent-by. */
  sentBy?: string;
  transport?: string;
  fromTag?: string;
  toTag?: string;
  callId?: string;
  cseq?: number;
  cseqMethod?: string;
  extra?: string[];
}

/** A request as a phone would send it (RFC 3261 §8.1.1). */
export function request(spec: RequestSpec = {}): SipRequest {
  const method = spec.method ?? 'INVITE';
  const branch = spec.branch === '' ? '' : `;branch=${spec.branch ?? 'z9hG4bK776asdhds'}`;
  const to = `Bob <sip:bob@hotline.example>${spec.toTag ? `;tag=${spec.toTag}` : ''}`;
  return parse([
    `${method} ${spec.uri ?? 'sip:bob@hotline.example'} SIP/2.0`,
    `Via: SIP/2.0/${spec.transport ?? 'UDP'} ${spec.sentBy ?? 'pc33.atlanta.example:5060'};rport${branch}`,
    'Max-Forwards: 70',
    `To: ${to}`,
    `From: Alice <sip:alice@atlanta.example>;tag=${spec.fromTag ?? '1928301774'}`,
    `Call-ID: ${spec.callId ?? 'a84b4c76e66710@pc33.atlanta.example'}`,
    `CSeq: ${spec.cseq ?? 314159} ${spec.cseqMethod ?? method}`,
    'Contact: <sip:alice@192.0.2.10:5060>',
    ...(spec.extra ?? []),
    'Content-Length: 0',
  ]) as SipRequest;
}

/** A request the server sends (no branch yet: the layer adds one). */
export function outgoing(method = 'INVITE', extra: string[] = []): SipRequest {
  return parse([
    `${method} sip:+15551234567@carrier.example SIP/2.0`,
    'Via: SIP/2.0/UDP 203.0.113.5:5060;rport',
    'Max-Forwards: 70',
    'Route: <sip:edge.carrier.example;lr>',
    'To: <sip:+15551234567@carrier.example>',
    'From: "Hotline" <sip:hotline@203.0.113.5>;tag=hl-1',
    'Call-ID: out-1@203.0.113.5',
    `CSeq: 1 ${method}`,
    'Contact: <sip:hotline@203.0.113.5:5060>',
    ...extra,
    'Content-Length: 0',
  ]) as SipRequest;
}

/** A response from the peer to a request we sent, as it comes back over the wire. */
export function reply(req: SipRequest, status: number, reason: string, toTag?: string): SipResponse {
  return wire(createResponse(req, status, reason, toTag === undefined ? {} : { toTag }));
}

export interface Sent {
  at: number;
  message: SipMessage;
  to: TransportAddress;
}

export function startLine(m: SipMessage): string {
  return m.kind === 'request' ? `${m.method} ${m.uri}` : `${m.status} ${m.reason}`;
}

export interface HarnessOptions {
  timers?: Partial<TimerConfig>;
  maxTransactions?: number;
  /** Make the transport fail for messages this returns true for (throwing, or rejecting when 'async'). */
  fail?: (m: SipMessage) => false | 'sync' | 'async';
  /** Respond to each new request from inside the TU callback. */
  onRequest?: (tx: ServerTransaction, source: TransportAddress) => void;
}

/** A layer wired to a FakeClock, a recording transport and a recording TU. */
export class Harness {
  readonly clock = new FakeClock();
  readonly sent: Sent[] = [];
  readonly requests: ServerTransaction[] = [];
  readonly acks: SipRequest[] = [];
  readonly strays: SipResponse[] = [];
  readonly serverEvents: Array<{ at: number; event: ServerEvent; tx: ServerTransaction }> = [];
  readonly dropped: string[] = [];
  readonly traces: TransitionTrace[] = [];
  readonly layer: TransactionLayer;

  constructor(opts: HarnessOptions = {}) {
    this.layer = new TransactionLayer({
      clock: this.clock,
      ...(opts.timers ? { timers: opts.timers } : {}),
      ...(opts.maxTransactions !== undefined ? { maxTransactions: opts.maxTransactions } : {}),
      trace: (t) => this.traces.push(t),
      send: (message, to) => {
        const mode = opts.fail?.(message) ?? false;
        if (mode === 'sync') throw new Error('ECONNRESET');
        if (mode === 'async') return Promise.reject(new Error('ECONNREFUSED'));
        this.sent.push({ at: this.clock.now(), message: wire(message), to });
        return undefined;
      },
      user: {
        request: (tx, source) => {
          this.requests.push(tx);
          opts.onRequest?.(tx, source);
        },
        ack: (req) => this.acks.push(req),
        strayResponse: (res) => this.strays.push(res),
        serverEvent: (event, tx) => this.serverEvents.push({ at: this.clock.now(), event, tx }),
        dropped: (_m, _s, reason) => this.dropped.push(reason),
      },
    });
  }

  receive(m: SipMessage, from: TransportAddress = ALICE): Disposition {
    return this.layer.receive(wire(m), from);
  }

  /** Start a client transaction, recording its events with their times. */
  send(req: SipRequest, to: TransportAddress = CARRIER): { tx: ClientTransaction; events: Array<{ at: number; event: ClientEvent }> } {
    const events: Array<{ at: number; event: ClientEvent }> = [];
    const tx = this.layer.sendRequest(req, to, (event) => events.push({ at: this.clock.now(), event }));
    return { tx, events };
  }

  /** Times at which messages with this start line (e.g. "INVITE sip:..." or "486 Busy Here") were sent. */
  timesOf(prefix: string): number[] {
    return this.sent.filter((s) => startLine(s.message).startsWith(prefix)).map((s) => s.at);
  }

  /** Nothing left: no transaction in the maps, no timer pending. */
  get empty(): boolean {
    const size = this.layer.size;
    return size.client === 0 && size.server === 0 && size.keys === 0 && this.clock.pending === 0;
  }
}

/** The types of the recorded client events, in order. */
export function types(events: Array<{ event: { type: string } }>): string[] {
  return events.map((e) => e.event.type);
}
