/**
 * The engine shared by the four transaction state machines (RFC 3261 §17.1.1, §17.1.2, §17.2.1, §17.2.2).
 * Each machine is data: an explicit state enum, an event enum, an action enum and a transition table
 * (state x event -> next state + actions). An event without an entry in the current state is ignored:
 * that is how the RFC's "absorb" rules and stale timers read. The engine owns the timers (one per timer
 * event), sends through the injected port turning failures into the transport-error event, and runs
 * events one at a time: an event raised while another is being handled (a zero-length timer, a send that
 * throws) waits in a queue, so every transition completes before the next one starts.
 */
import type { TimerHandle } from './clock.js';
import type { SipMessage, SipRequest, SipResponse } from './message.js';
import { transactionTimers, type TransactionTimers } from './timers.js';
import type { TransactionContext, TransactionKind, TransportAddress } from './transaction-types.js';

export interface Transition<S, A> {
  readonly to: S;
  readonly actions: readonly A[];
}

export type TransitionTable<S extends string, E extends string, A> = {
  readonly [state in S]: { readonly [event in E]?: Transition<S, A> };
};

/** Table entry helper: `go(State.Completed, Action.SendAck, Action.PassToTu)`. */
export function go<S, A>(to: S, ...actions: A[]): Transition<S, A> {
  return { to, actions };
}

/** What an event carries: the message that caused it, or the transport error. */
export interface EventData {
  request?: SipRequest;
  response?: SipResponse;
  error?: unknown;
}

export interface MachineSpec<S extends string, E extends string, A> {
  kind: TransactionKind;
  table: TransitionTable<S, E, A>;
  initial: S;
  terminated: S;
  transportError: E;
}

export abstract class TransactionMachine<S extends string, E extends string, A extends string> {
  readonly timers: TransactionTimers;
  private current: S;
  private readonly handles = new Map<E, TimerHandle>();
  private readonly queue: Array<[E, EventData]> = [];
  private busy = false;

  protected constructor(
    /** Unique key under which the layer finds this transaction (transaction-keys.ts). */
    readonly id: string,
    /** Where requests (client) or responses (server) go: the peer's transport address. */
    readonly peer: TransportAddress,
    protected readonly ctx: TransactionContext,
    private readonly spec: MachineSpec<S, E, A>,
  ) {
    this.current = spec.initial;
    this.timers = transactionTimers(peer.transport !== 'udp', ctx.timers);
  }

  get kind(): TransactionKind {
    return this.spec.kind;
  }

  get state(): S {
    return this.current;
  }

  get terminated(): boolean {
    return this.current === this.spec.terminated;
  }

  /** Stop every timer and leave, without telling anyone (layer shutdown). */
  dispose(): void {
    for (const h of this.handles.values()) this.ctx.clock.clearTimer(h);
    this.handles.clear();
    this.queue.length = 0;
    this.current = this.spec.terminated;
  }

  protected abstract perform(action: A, data: EventData): void;

  /** Told once when Terminated is entered, after the layer removed the transaction. */
  protected abstract onTerminated(): void;

  /** Run the actions of the initial state's entry (sending the request, starting timers). */
  protected begin(actions: readonly A[]): void {
    this.busy = true;
    try {
      for (const a of actions) this.perform(a, {});
    } finally {
      this.busy = false;
    }
    this.drain();
  }

  /** Whether the current state has an entry for `event`. */
  protected accepts(event: E): boolean {
    return this.spec.table[this.current][event] !== undefined;
  }

  /** Handle an event now, or after the one being handled. */
  protected fire(event: E, data: EventData = {}): void {
    this.queue.push([event, data]);
    if (!this.busy) this.drain();
  }

  private drain(): void {
    this.busy = true;
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) this.step(next[0], next[1]);
    } finally {
      this.busy = false;
    }
  }

  private step(event: E, data: EventData): void {
    const from = this.current;
    const tr = this.spec.table[from][event];
    if (!tr) return;
    this.current = tr.to;
    this.ctx.trace?.({ transaction: this.id, kind: this.spec.kind, from, event, to: tr.to });
    for (const a of tr.actions) this.perform(a, data);
    if (tr.to === this.spec.terminated && from !== this.spec.terminated) {
      for (const h of this.handles.values()) this.ctx.clock.clearTimer(h);
      this.handles.clear();
      this.queue.length = 0;
      this.ctx.removed?.(this);
      this.onTerminated();
    }
  }

  /** (Re)start the timer that raises `event` in `ms`; 0 raises it right after the current transition. */
  protected startTimer(event: E, ms: number): void {
    this.stopTimer(event);
    if (ms <= 0) {
      this.fire(event);
      return;
    }
    const h = this.ctx.clock.setTimer(ms, () => {
      this.handles.delete(event);
      this.fire(event);
    });
    this.handles.set(event, h);
  }

  protected stopTimer(event: E): void {
    const h = this.handles.get(event);
    if (h === undefined) return;
    this.ctx.clock.clearTimer(h);
    this.handles.delete(event);
  }

  /** Pass a message to the transport; a failure (throw or rejection) becomes the transport-error event. */
  protected transmit(message: SipMessage): void {
    const fail = (error: unknown) => this.fire(this.spec.transportError, { error });
    try {
      const pending = this.ctx.send(message, this.peer);
      if (pending) pending.catch(fail);
    } catch (error) {
      fail(error);
    }
  }
}
