/**
 * Shared vocabulary of the SIP transaction layer (RFC 3261 §17): where a message comes from or goes to,
 * the injected send port, the events a transaction user (TU) receives, and the layer's errors.
 */
import type { Clock } from './clock.js';
import type { SipMessage, SipRequest, SipResponse } from './message.js';
import type { TimerConfig } from './timers.js';

export type TransportName = 'udp' | 'tcp' | 'tls' | 'sctp' | 'ws' | 'wss';

/** A peer: the source of a received message, or the destination of a sent one. */
export interface TransportAddress {
  transport: TransportName;
  address: string;
  port: number;
}

/** §17.1.1.2, §18: only UDP is unreliable; TCP, TLS, SCTP and WebSocket (RFC 7118) are reliable. */
export function isReliable(transport: TransportName): boolean {
  return transport !== 'udp';
}

/**
 * The transport port. A synchronous throw or a rejected promise is a transport error (§17.1.4, §17.2.4,
 * §18.4): the transaction that sent the message terminates and its TU is told.
 */
export type SendPort = (message: SipMessage, destination: TransportAddress) => void | Promise<void>;

/** One state change, for logs and tests. */
export interface TransitionTrace {
  transaction: string;
  kind: TransactionKind;
  from: string;
  event: string;
  to: string;
}

export type TransactionKind = 'invite-client' | 'non-invite-client' | 'invite-server' | 'non-invite-server';

/** What every transaction gets from the layer that creates it. */
export interface TransactionContext {
  clock: Clock;
  send: SendPort;
  timers?: Partial<TimerConfig>;
  trace?: (t: TransitionTrace) => void;
  /** Called once, the instant the transaction enters Terminated (§17.1.1.2: "MUST be destroyed"). */
  removed?: (tx: { readonly id: string }) => void;
}

/** Events of a client transaction for its TU (§17.1.1.2, §17.1.2.2, §8.1.3.1). */
export type ClientEvent =
  /** A provisional or final response passed up by the state machine. */
  | { type: 'response'; response: SipResponse }
  /** Timer B or F fired: `response` is a locally generated 408 Request Timeout (§8.1.3.1). */
  | { type: 'timeout'; response: SipResponse }
  /** The transport failed (§17.1.4): `response` is a locally generated 503 Service Unavailable (§8.1.3.1). */
  | { type: 'transport-error'; response: SipResponse; error: unknown }
  /** The transaction entered Terminated and was removed; nothing more will come. */
  | { type: 'terminated' };

/** Events of a server transaction for the TU (§17.2.1, §17.2.4). */
export type ServerEvent =
  /** Timer H fired before an ACK arrived (§17.2.1): the final response was probably not received. */
  | { type: 'timeout' }
  | { type: 'transport-error'; error: unknown }
  /** An ACK matched an INVITE server transaction in Accepted (RFC 6026 §7.1): it belongs to the TU. */
  | { type: 'ack'; request: SipRequest }
  | { type: 'terminated' };

export type TransactionErrorCode = 'transaction-limit' | 'duplicate-transaction' | 'invalid-request';

/** Errors the layer throws on purpose, with a stable code. */
export class TransactionError extends Error {
  constructor(
    readonly code: TransactionErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TransactionError';
  }
}
