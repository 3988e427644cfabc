/**
 * Server transactions (RFC 3261 §17.2): the INVITE server transaction (§17.2.1, Figure 7, with the
 * Accepted state and Timer L of RFC 6026 §7.1) and the non-INVITE server transaction (§17.2.2, Figure 8).
 * Each is an explicit state enum plus a transition table; the classes only carry out the actions.
 * Responses go to the transport address the request came from (§18.2.2 with rport, RFC 3581 §4; the
 * server never answers to an address taken from a header, DESIGN.md "Security").
 */
import type { SipRequest, SipResponse } from './message.js';
import { createResponse, toTagOf } from './transaction-messages.js';
import { type EventData, go, TransactionMachine, type TransitionTable } from './transaction-fsm.js';
import type { ServerEvent, TransactionContext, TransportAddress } from './transaction-types.js';

export type ServerTransactionUser = (event: ServerEvent, tx: ServerTransaction) => void;

enum Act {
  /** Send the response the TU passed and remember it as the last one. */
  Send = 'send response',
  /** Re-send the most recent response (provisional in Proceeding, final in Completed), if any. */
  Resend = 'resend last response',
  StartTrying = 'start 100 Trying timer',
  StopTrying = 'stop 100 Trying timer',
  SendTrying = 'send 100 Trying',
  StartG = 'start G',
  /** Timer G fired: min(2G, T2) (§17.2.1). */
  BackoffG = 'restart G min(2G,T2)',
  StartH = 'start H',
  StopGH = 'stop G and H',
  StartI = 'start I',
  StartJ = 'start J',
  StartL = 'start L',
  PassAck = 'pass ACK to TU',
  Timeout = 'inform TU: no ACK (Timer H)',
  TransportError = 'inform TU: transport error',
}

// ---- INVITE server transaction (§17.2.1) ----

export enum InviteServerState {
  Proceeding = 'Proceeding',
  Completed = 'Completed',
  Confirmed = 'Confirmed',
  /** RFC 6026 §7.1: after a 2xx, absorb INVITE retransmissions until Timer L. */
  Accepted = 'Accepted',
  Terminated = 'Terminated',
}

export enum InviteServerEvent {
  /** A retransmission of the INVITE (§17.2.3 match). */
  Invite = 'INVITE',
  Ack = 'ACK',
  TuProvisional = '101-199 from TU',
  TuSuccess = '2xx from TU',
  TuFailure = '300-699 from TU',
  TimerTrying = '200 ms',
  TimerG = 'Timer G',
  TimerH = 'Timer H',
  TimerI = 'Timer I',
  TimerL = 'Timer L',
  TransportError = 'transport error',
}

const IS = InviteServerState;
const ISE = InviteServerEvent;

export const INVITE_SERVER_TABLE: TransitionTable<InviteServerState, InviteServerEvent, Act> = {
  [IS.Proceeding]: {
    [ISE.TimerTrying]: go(IS.Proceeding, Act.SendTrying), // "send 100 if TU won't in 200 ms" §17.2.1
    [ISE.Invite]: go(IS.Proceeding, Act.Resend), // §17.2.1
    [ISE.TuProvisional]: go(IS.Proceeding, Act.StopTrying, Act.Send), // §17.2.1
    [ISE.TuSuccess]: go(IS.Accepted, Act.StopTrying, Act.Send, Act.StartL), // RFC 6026 §7.1
    [ISE.TuFailure]: go(IS.Completed, Act.StopTrying, Act.Send, Act.StartG, Act.StartH), // §17.2.1
    [ISE.TransportError]: go(IS.Terminated, Act.TransportError), // Figure 7, §17.2.4
  },
  [IS.Completed]: {
    [ISE.Invite]: go(IS.Completed, Act.Resend), // §17.2.1
    [ISE.TimerG]: go(IS.Completed, Act.Resend, Act.BackoffG), // §17.2.1
    [ISE.TimerH]: go(IS.Terminated, Act.Timeout), // §17.2.1
    [ISE.Ack]: go(IS.Confirmed, Act.StopGH, Act.StartI), // §17.2.1
    [ISE.TransportError]: go(IS.Terminated, Act.TransportError), // Figure 7, §17.2.4
  },
  [IS.Confirmed]: {
    [ISE.Ack]: go(IS.Confirmed), // absorbed, §17.2.1
    [ISE.Invite]: go(IS.Confirmed), // absorbed
    [ISE.TimerI]: go(IS.Terminated), // §17.2.1
  },
  [IS.Accepted]: {
    [ISE.Invite]: go(IS.Accepted), // absorbed, not to TU, RFC 6026 §7.1
    [ISE.Ack]: go(IS.Accepted, Act.PassAck), // RFC 6026 §7.1
    [ISE.TuSuccess]: go(IS.Accepted, Act.Send), // 2xx retransmissions by the TU, RFC 6026 §7.1
    [ISE.TimerL]: go(IS.Terminated), // RFC 6026 §7.1
    [ISE.TransportError]: go(IS.Accepted, Act.TransportError), // RFC 6026 §7.1
  },
  [IS.Terminated]: {},
};

// ---- non-INVITE server transaction (§17.2.2) ----

export enum NonInviteServerState {
  Trying = 'Trying',
  Proceeding = 'Proceeding',
  Completed = 'Completed',
  Terminated = 'Terminated',
}

export enum NonInviteServerEvent {
  /** A retransmission of the request (§17.2.3 match). */
  Request = 'request',
  TuProvisional = '1xx from TU',
  TuFinal = '200-699 from TU',
  TimerJ = 'Timer J',
  TransportError = 'transport error',
}

const NS = NonInviteServerState;
const NSE = NonInviteServerEvent;

export const NON_INVITE_SERVER_TABLE: TransitionTable<NonInviteServerState, NonInviteServerEvent, Act> = {
  [NS.Trying]: {
    [NSE.Request]: go(NS.Trying), // discarded, §17.2.2
    [NSE.TuProvisional]: go(NS.Proceeding, Act.Send), // §17.2.2
    [NSE.TuFinal]: go(NS.Completed, Act.Send, Act.StartJ), // §17.2.2
  },
  [NS.Proceeding]: {
    [NSE.Request]: go(NS.Proceeding, Act.Resend), // §17.2.2
    [NSE.TuProvisional]: go(NS.Proceeding, Act.Send), // §17.2.2
    [NSE.TuFinal]: go(NS.Completed, Act.Send, Act.StartJ), // §17.2.2
    [NSE.TransportError]: go(NS.Terminated, Act.TransportError), // Figure 8, §17.2.4
  },
  [NS.Completed]: {
    [NSE.Request]: go(NS.Completed, Act.Resend), // §17.2.2 (TU finals: discarded, no entry)
    [NSE.TimerJ]: go(NS.Terminated), // §17.2.2
    [NSE.TransportError]: go(NS.Terminated, Act.TransportError), // Figure 8, §17.2.4
  },
  [NS.Terminated]: {},
};

// ---- the machines ----

type AnyServerState = InviteServerState | NonInviteServerState;
type AnyServerEvent = InviteServerEvent | NonInviteServerEvent;

abstract class ServerTransactionBase<S extends AnyServerState, E extends AnyServerEvent> extends TransactionMachine<S, E, Act> {
  /** The most recent response sent (§17.2.1, §17.2.2). */
  lastResponse?: SipResponse;

  get method(): string {
    return this.request.method;
  }

  /** The request that created the transaction. */
  abstract readonly request: SipRequest;

  /**
   * Send a response from the TU. Returns false when the current state takes none (e.g. a second final
   * response: discarded, §17.2.2).
   */
  abstract respond(response: SipResponse): boolean;

  /** A retransmission of the request, or (INVITE) the ACK, matched by the layer (§17.2.3). */
  abstract receive(request: SipRequest): void;

  /** The To tag of the last response sent, for RFC 2543 ACK matching (§17.2.3). */
  get responseToTag(): string | undefined {
    return this.lastResponse ? toTagOf(this.lastResponse) : undefined;
  }

  protected abstract readonly user: ServerTransactionUser;

  protected send(response: SipResponse): void {
    this.lastResponse = response;
    this.transmit(response);
  }

  protected resend(): void {
    if (this.lastResponse) this.transmit(this.lastResponse);
  }

  protected tell(event: ServerEvent): void {
    this.user(event, this as unknown as ServerTransaction);
  }

  protected onTerminated(): void {
    this.tell({ type: 'terminated' });
  }

  protected transportError(data: EventData): void {
    this.tell({ type: 'transport-error', error: data.error });
  }
}

export class InviteServerTransaction extends ServerTransactionBase<InviteServerState, InviteServerEvent> {
  /** The current interval of Timer G. */
  private intervalG = 0;

  constructor(
    id: string,
    readonly request: SipRequest,
    source: TransportAddress,
    ctx: TransactionContext,
    protected readonly user: ServerTransactionUser,
  ) {
    super(id, source, ctx, {
      kind: 'invite-server', table: INVITE_SERVER_TABLE, initial: IS.Proceeding, terminated: IS.Terminated,
      transportError: ISE.TransportError,
    });
  }

  /** Enter Proceeding: arm the 100 Trying timer (§17.2.1). The layer then passes the INVITE to the TU. */
  start(): void {
    this.begin([Act.StartTrying]);
  }

  respond(response: SipResponse): boolean {
    const s = response.status;
    const event = s < 200 ? ISE.TuProvisional : s < 300 ? ISE.TuSuccess : ISE.TuFailure;
    const accepted = this.accepts(event);
    this.fire(event, { response });
    return accepted;
  }

  receive(request: SipRequest): void {
    this.fire(request.method === 'ACK' ? ISE.Ack : ISE.Invite, { request });
  }

  protected perform(action: Act, data: EventData): void {
    const t = this.timers;
    switch (action) {
      case Act.Send: return this.send(data.response!);
      case Act.Resend: return this.resend();
      case Act.StartTrying: return this.startTimer(ISE.TimerTrying, t.trying);
      case Act.StopTrying: return this.stopTimer(ISE.TimerTrying);
      case Act.SendTrying: return this.send(createResponse(this.request, 100, 'Trying'));
      case Act.StartG: return this.startG(t.G);
      case Act.BackoffG: return this.startG(Math.min(this.intervalG * 2, t.T2));
      case Act.StartH: return this.startTimer(ISE.TimerH, t.H);
      case Act.StopGH:
        this.stopTimer(ISE.TimerG);
        return this.stopTimer(ISE.TimerH);
      case Act.StartI: return this.startTimer(ISE.TimerI, t.I);
      case Act.StartL: return this.startTimer(ISE.TimerL, t.L);
      case Act.PassAck: return this.tell({ type: 'ack', request: data.request! });
      case Act.Timeout: return this.tell({ type: 'timeout' });
      case Act.TransportError: return this.transportError(data);
      case Act.StartJ: throw new Error(`BUG: ${action} in an INVITE server transaction`);
    }
  }

  /** Timer G runs on unreliable transports only (§17.2.1). */
  private startG(ms: number): void {
    if (this.timers.reliable) return;
    this.intervalG = ms;
    this.startTimer(ISE.TimerG, ms);
  }
}

export class NonInviteServerTransaction extends ServerTransactionBase<NonInviteServerState, NonInviteServerEvent> {
  constructor(
    id: string,
    readonly request: SipRequest,
    source: TransportAddress,
    ctx: TransactionContext,
    protected readonly user: ServerTransactionUser,
  ) {
    super(id, source, ctx, {
      kind: 'non-invite-server', table: NON_INVITE_SERVER_TABLE, initial: NS.Trying, terminated: NS.Terminated,
      transportError: NSE.TransportError,
    });
  }

  /** Trying has no entry actions (§17.2.2); present for symmetry with the INVITE server transaction. */
  start(): void {
    this.begin([]);
  }

  respond(response: SipResponse): boolean {
    const event = response.status < 200 ? NSE.TuProvisional : NSE.TuFinal;
    const accepted = this.accepts(event);
    this.fire(event, { response });
    return accepted;
  }

  receive(request: SipRequest): void {
    this.fire(NSE.Request, { request });
  }

  protected perform(action: Act, data: EventData): void {
    switch (action) {
      case Act.Send: return this.send(data.response!);
      case Act.Resend: return this.resend();
      case Act.StartJ: return this.startTimer(NSE.TimerJ, this.timers.J);
      case Act.TransportError: return this.transportError(data);
      default: throw new Error(`BUG: ${action} in a non-INVITE server transaction`);
    }
  }
}

export type ServerTransaction = InviteServerTransaction | NonInviteServerTransaction;
