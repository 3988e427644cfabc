/**
 * Client transactions (RFC 3261 §17.1): the INVITE client transaction (§17.1.1, Figure 5, with the
 * Accepted state and Timer M of RFC 6026 §7.2) and the non-INVITE client transaction (§17.1.2, Figure 6).
 * Each is an explicit state enum plus a transition table; the classes only carry out the actions.
 */
import type { SipRequest, SipResponse } from './message.js';
import { createAck, createResponse } from './transaction-messages.js';
import { type EventData, go, type MachineSpec, TransactionMachine, type TransitionTable } from './transaction-fsm.js';
import type { ClientEvent, TransactionContext, TransportAddress } from './transaction-types.js';

export type ClientTransactionUser = (event: ClientEvent, tx: ClientTransaction) => void;

/** Actions shared by both client machines. */
enum Act {
  /** Pass the request to the transport (first transmission or retransmission). */
  Send = 'send request',
  StartA = 'start A',
  /** Timer A fired: double the interval (§17.1.1.2: 2*T1, 4*T1, ...; no cap, Timer B bounds it). */
  BackoffA = 'restart A doubled',
  StartB = 'start B',
  StopAB = 'stop A and B',
  StartE = 'start E',
  /** Timer E fired in Trying: min(2E, T2) (§17.1.2.2). */
  BackoffE = 'restart E min(2E,T2)',
  /** Timer E fired in Proceeding: T2 (§17.1.2.2). */
  RestartET2 = 'restart E with T2',
  StartF = 'start F',
  StopEF = 'stop E and F',
  SendAck = 'send ACK',
  PassToTu = 'pass response to TU',
  StartD = 'start D',
  StartK = 'start K',
  StartM = 'start M',
  Timeout = 'inform TU: timeout (408)',
  TransportError = 'inform TU: transport error (503)',
}

// ---- INVITE client transaction (§17.1.1) ----

export enum InviteClientState {
  Calling = 'Calling',
  Proceeding = 'Proceeding',
  Completed = 'Completed',
  /** RFC 6026 §7.2: 2xx responses (retransmissions, other forks) keep reaching the TU until Timer M. */
  Accepted = 'Accepted',
  Terminated = 'Terminated',
}

export enum InviteClientEvent {
  Provisional = '1xx',
  Success = '2xx',
  Failure = '300-699',
  TimerA = 'Timer A',
  TimerB = 'Timer B',
  TimerD = 'Timer D',
  TimerM = 'Timer M',
  TransportError = 'transport error',
}

const IC = InviteClientState;
const ICE = InviteClientEvent;

/** Entered with the INVITE from the TU (§17.1.1.2): send it, Timer A (unreliable only), Timer B. */
const INVITE_CLIENT_ENTRY = [Act.Send, Act.StartA, Act.StartB] as const;

export const INVITE_CLIENT_TABLE: TransitionTable<InviteClientState, InviteClientEvent, Act> = {
  [IC.Calling]: {
    [ICE.TimerA]: go(IC.Calling, Act.Send, Act.BackoffA), // §17.1.1.2
    [ICE.TimerB]: go(IC.Terminated, Act.Timeout), // §17.1.1.2
    [ICE.Provisional]: go(IC.Proceeding, Act.StopAB, Act.PassToTu), // §17.1.1.2
    [ICE.Success]: go(IC.Accepted, Act.StopAB, Act.PassToTu, Act.StartM), // RFC 6026 §7.2
    [ICE.Failure]: go(IC.Completed, Act.StopAB, Act.SendAck, Act.PassToTu, Act.StartD), // §17.1.1.2
    [ICE.TransportError]: go(IC.Terminated, Act.TransportError), // §17.1.4
  },
  [IC.Proceeding]: {
    [ICE.Provisional]: go(IC.Proceeding, Act.PassToTu), // §17.1.1.2
    [ICE.Success]: go(IC.Accepted, Act.PassToTu, Act.StartM), // RFC 6026 §7.2
    [ICE.Failure]: go(IC.Completed, Act.SendAck, Act.PassToTu, Act.StartD), // §17.1.1.2
  },
  [IC.Completed]: {
    [ICE.Failure]: go(IC.Completed, Act.SendAck), // retransmitted final: ACK again, not to TU, §17.1.1.2
    [ICE.TimerD]: go(IC.Terminated), // §17.1.1.2
    [ICE.TransportError]: go(IC.Terminated, Act.TransportError), // §17.1.1.2, §17.1.4
  },
  [IC.Accepted]: {
    [ICE.Success]: go(IC.Accepted, Act.PassToTu), // RFC 6026 §7.2
    [ICE.TimerM]: go(IC.Terminated), // RFC 6026 §7.2
  },
  [IC.Terminated]: {},
};

// ---- non-INVITE client transaction (§17.1.2) ----

export enum NonInviteClientState {
  Trying = 'Trying',
  Proceeding = 'Proceeding',
  Completed = 'Completed',
  Terminated = 'Terminated',
}

export enum NonInviteClientEvent {
  Provisional = '1xx',
  Final = '200-699',
  TimerE = 'Timer E',
  TimerF = 'Timer F',
  TimerK = 'Timer K',
  TransportError = 'transport error',
}

const NC = NonInviteClientState;
const NCE = NonInviteClientEvent;

/** Entered with the request from the TU (§17.1.2.2): send it, Timer F, Timer E (unreliable only). */
const NON_INVITE_CLIENT_ENTRY = [Act.Send, Act.StartF, Act.StartE] as const;

export const NON_INVITE_CLIENT_TABLE: TransitionTable<NonInviteClientState, NonInviteClientEvent, Act> = {
  [NC.Trying]: {
    [NCE.TimerE]: go(NC.Trying, Act.Send, Act.BackoffE), // §17.1.2.2
    [NCE.TimerF]: go(NC.Terminated, Act.Timeout), // §17.1.2.2
    [NCE.Provisional]: go(NC.Proceeding, Act.PassToTu), // §17.1.2.2
    [NCE.Final]: go(NC.Completed, Act.StopEF, Act.PassToTu, Act.StartK), // §17.1.2.2
    [NCE.TransportError]: go(NC.Terminated, Act.TransportError), // §17.1.4
  },
  [NC.Proceeding]: {
    [NCE.TimerE]: go(NC.Proceeding, Act.Send, Act.RestartET2), // §17.1.2.2
    [NCE.TimerF]: go(NC.Terminated, Act.Timeout), // §17.1.2.2
    [NCE.Provisional]: go(NC.Proceeding, Act.PassToTu), // §17.1.2.2
    [NCE.Final]: go(NC.Completed, Act.StopEF, Act.PassToTu, Act.StartK), // §17.1.2.2
    [NCE.TransportError]: go(NC.Terminated, Act.TransportError), // §17.1.4
  },
  [NC.Completed]: {
    // Retransmitted responses are absorbed: no entry for Provisional or Final (§17.1.2.2).
    [NCE.TimerK]: go(NC.Terminated), // §17.1.2.2
  },
  [NC.Terminated]: {},
};

// ---- the machines ----

type AnyClientState = InviteClientState | NonInviteClientState;
type AnyClientEvent = InviteClientEvent | NonInviteClientEvent;
type TimerName = 'A' | 'B' | 'D' | 'E' | 'F' | 'K' | 'M';

abstract class ClientTransactionBase<S extends AnyClientState, E extends AnyClientEvent> extends TransactionMachine<S, E, Act> {
  /** The current retransmission interval of Timer A or E. */
  protected interval = 0;

  protected constructor(
    id: string,
    readonly request: SipRequest,
    destination: TransportAddress,
    ctx: TransactionContext,
    private readonly user: ClientTransactionUser,
    spec: MachineSpec<S, E, Act>,
    /** Which event each timer raises in this machine. */
    private readonly timerEvents: Partial<Record<TimerName, E>>,
  ) {
    super(id, destination, ctx, spec);
  }

  get method(): string {
    return this.request.method;
  }

  /** Send the request and start the timers (called by the layer once the transaction is registered). */
  abstract start(): void;

  /** A response matched to this transaction by the layer (§17.1.3). */
  abstract receive(response: SipResponse): void;

  protected perform(action: Act, data: EventData): void {
    const t = this.timers;
    switch (action) {
      case Act.Send: return this.transmit(this.request);
      case Act.StartA: return this.startRetransmit('A', t.A);
      case Act.BackoffA: return this.startRetransmit('A', this.interval * 2);
      case Act.StartE: return this.startRetransmit('E', t.E);
      case Act.BackoffE: return this.startRetransmit('E', Math.min(this.interval * 2, t.T2));
      case Act.RestartET2: return this.startRetransmit('E', t.T2);
      case Act.StartB: return this.startTimer(this.timerEvent('B'), t.B);
      case Act.StartF: return this.startTimer(this.timerEvent('F'), t.F);
      case Act.StartD: return this.startTimer(this.timerEvent('D'), t.D);
      case Act.StartK: return this.startTimer(this.timerEvent('K'), t.K);
      case Act.StartM: return this.startTimer(this.timerEvent('M'), t.M);
      case Act.StopAB: return this.stopAll('A', 'B');
      case Act.StopEF: return this.stopAll('E', 'F');
      case Act.SendAck: return this.sendAck(data.response!);
      case Act.PassToTu: return this.user({ type: 'response', response: data.response! }, this.self());
      case Act.Timeout:
        return this.user({ type: 'timeout', response: createResponse(this.request, 408, 'Request Timeout') }, this.self());
      case Act.TransportError: {
        const response = createResponse(this.request, 503, 'Service Unavailable');
        return this.user({ type: 'transport-error', response, error: data.error }, this.self());
      }
    }
  }

  /** Only INVITE transactions send ACKs; see InviteClientTransaction. */
  protected sendAck(_response: SipResponse): void {}

  protected onTerminated(): void {
    this.user({ type: 'terminated' }, this.self());
  }

  /** Retransmission timers run on unreliable transports only (§17.1.1.2, §17.1.2.2). */
  private startRetransmit(which: 'A' | 'E', ms: number): void {
    if (this.timers.reliable) return;
    this.interval = ms;
    this.startTimer(this.timerEvent(which), ms);
  }

  private stopAll(...which: TimerName[]): void {
    for (const w of which) this.stopTimer(this.timerEvent(w));
  }

  private timerEvent(which: TimerName): E {
    const event = this.timerEvents[which];
    if (event === undefined) throw new Error(`BUG: ${this.kind} transaction has no Timer ${which}`);
    return event;
  }

  private self(): ClientTransaction {
    return this as unknown as ClientTransaction;
  }
}

export class InviteClientTransaction extends ClientTransactionBase<InviteClientState, InviteClientEvent> {
  /** The ACK built for the first non-2xx final response, re-sent for its retransmissions (§17.1.1.3). */
  private ack?: SipRequest;

  constructor(id: string, request: SipRequest, destination: TransportAddress, ctx: TransactionContext, user: ClientTransactionUser) {
    super(id, request, destination, ctx, user, {
      kind: 'invite-client', table: INVITE_CLIENT_TABLE, initial: IC.Calling, terminated: IC.Terminated,
      transportError: ICE.TransportError,
    }, { A: ICE.TimerA, B: ICE.TimerB, D: ICE.TimerD, M: ICE.TimerM });
  }

  start(): void {
    this.begin(INVITE_CLIENT_ENTRY);
  }

  receive(response: SipResponse): void {
    const s = response.status;
    this.fire(s < 200 ? ICE.Provisional : s < 300 ? ICE.Success : ICE.Failure, { response });
  }

  protected override sendAck(response: SipResponse): void {
    this.ack ??= createAck(this.request, response);
    this.transmit(this.ack);
  }
}

export class NonInviteClientTransaction extends ClientTransactionBase<NonInviteClientState, NonInviteClientEvent> {
  constructor(id: string, request: SipRequest, destination: TransportAddress, ctx: TransactionContext, user: ClientTransactionUser) {
    super(id, request, destination, ctx, user, {
      kind: 'non-invite-client', table: NON_INVITE_CLIENT_TABLE, initial: NC.Trying, terminated: NC.Terminated,
      transportError: NCE.TransportError,
    }, { E: NCE.TimerE, F: NCE.TimerF, K: NCE.TimerK });
  }

  start(): void {
    this.begin(NON_INVITE_CLIENT_ENTRY);
  }

  receive(response: SipResponse): void {
    this.fire(response.status < 200 ? NCE.Provisional : NCE.Final, { response });
  }
}

export type ClientTransaction = InviteClientTransaction | NonInviteClientTransaction;
