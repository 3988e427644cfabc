/**
 * Dials due callbacks (callbacks.ts) and follows their calls, on the injected Clock.
 *
 *   1. Due callbacks (status scheduled, dueAt <= now, oldest first) are claimed one at a time: in one
 *      write the row is re-read and, only if still scheduled and due, becomes `dialing` with attempts + 1.
 *      The status change is the lock: a callback is never dialled twice (one node; with several nodes
 *      two could claim one row between read and write of different transactions: not supported yet).
 *   2. The claimed callback is originated (click-to-call from its agent to its number). Originate
 *      returning records the call id; originate throwing (404 unknown agent or number, 409 no device,
 *      busy, trunk full) is a failed attempt with that message.
 *   3. `call.answered` of that call -> done; `call.ended` before an answer -> a failed attempt.
 *   A failed attempt schedules the next one `retryMinutes` later, or fails the callback after
 *   `maxAttempts`. Calls do not survive a restart, so on start callbacks left `dialing` count as failed.
 *
 * Work runs one task at a time (a promise chain) so a claim, its originate and the events of its call
 * never interleave; the timer sleeps until the next due callback (at most a minute, so callbacks written
 * by another process are found) and wakes at once when a callback is scheduled on this node.
 */
import type { Logger } from 'pino';
import { LessThanOrEqual } from 'typeorm';
import { CallbackRow, CallRow } from '../db/entities/index.js';
import { systemActor, type Store } from '../events/changes.js';
import type { HotlineEvent } from '../events/log.js';
import { systemClock, type Clock, type TimerHandle } from '../sip/clock.js';
import type { Callbacks } from './callbacks.js';
import { SerialQueue } from './serial.js';

/** Click-to-call, as wired in main.ts (calls/originate.ts; workflow/ does not import calls/). */
export type Originate = (agent: string, number: string) => Promise<{ id: string }>;

export interface CallbackSchedulerOptions {
  clock?: Clock;
  /** Longest sleep between looks for due callbacks (default one minute). */
  maxSleepMs?: number;
}

/** How many due callbacks one look dials at most; the rest follow in the next look, right after. */
const BATCH = 100;

export class CallbackScheduler {
  private unsubscribe: (() => void) | null = null;
  private readonly tasks = new SerialQueue((err) => this.log.error({ err: err instanceof Error ? err.message : String(err) }, 'callback scheduler error'));
  private timer: TimerHandle | null = null;
  private readonly clock: Clock;
  private readonly maxSleepMs: number;
  /** Calls of callbacks this node is dialling: the call events of every other call cost nothing. */
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly callbacks: Callbacks,
    private readonly originate: Originate,
    private readonly log: Logger,
    opts: CallbackSchedulerOptions = {},
  ) {
    this.clock = opts.clock ?? systemClock;
    this.maxSleepMs = opts.maxSleepMs ?? 60_000;
  }

  start(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.store.events.subscribe((e) => {
      if (e.type === 'callback.scheduled') this.enqueue(() => this.dialDue());
      else if ((e.type === 'call.answered' || e.type === 'call.ended') && e.callId && this.inFlight.has(e.callId)) this.enqueue(() => this.onCall(e));
    });
    this.enqueue(() => this.recoverDialing());
    this.enqueue(() => this.dialDue());
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.timer) this.clock.clearTimer(this.timer);
    this.timer = null;
    await this.idle();
  }

  /** Resolves when every task queued so far has run. */
  async idle(): Promise<void> {
    await this.tasks.idle();
  }

  private enqueue(fn: () => Promise<void>): void {
    this.tasks.push(fn);
  }

  /** Dial what is due, then sleep until the next due callback. */
  private async dialDue(): Promise<void> {
    for (;;) {
      const due = await this.store.ds.manager.find(CallbackRow, {
        where: { status: 'scheduled', dueAt: LessThanOrEqual(this.callbacks.now()) }, order: { dueAt: 'ASC', id: 'ASC' }, take: BATCH,
      });
      for (const c of due) await this.dial(c.id);
      if (due.length < BATCH) break;
    }
    await this.arm();
  }

  private async arm(): Promise<void> {
    if (!this.unsubscribe) return;
    const next = await this.store.ds.manager.findOne(CallbackRow, { where: { status: 'scheduled' }, order: { dueAt: 'ASC' } });
    const wait = next ? Math.min(Math.max(0, next.dueAt.getTime() - this.callbacks.now().getTime()), this.maxSleepMs) : this.maxSleepMs;
    if (this.timer) this.clock.clearTimer(this.timer);
    this.timer = this.clock.setTimer(wait, () => {
      this.timer = null;
      this.enqueue(() => this.dialDue());
    });
  }

  private async dial(id: number): Promise<void> {
    const claimed = await this.store.writer.run(async (tx) => {
      const row = await tx.em.findOneBy(CallbackRow, { id });
      if (!row || row.status !== 'scheduled' || row.dueAt.getTime() > this.callbacks.now().getTime()) return null;
      await this.callbacks.transition(tx, systemActor, row, 'dialing', { attempts: row.attempts + 1, callId: null, lastError: null });
      return row;
    });
    if (!claimed) return;
    let callId: string;
    try {
      callId = (await this.originate(claimed.agent, claimed.number)).id;
    } catch (err) {
      await this.attemptFailed(id, null, err instanceof Error ? err.message : String(err));
      return;
    }
    await this.store.writer.run(async (tx) => {
      const row = await tx.em.findOneBy(CallbackRow, { id });
      if (row?.status !== 'dialing') return;
      row.callId = callId;
      row.updatedAt = this.callbacks.now();
      await tx.em.save(CallbackRow, row);
    });
    this.inFlight.add(callId);
    // The call may have been answered or ended before its id was recorded here: its events were then
    // ignored, but its record (written with those events) tells.
    const call = await this.store.ds.manager.findOneBy(CallRow, { id: callId });
    if (call?.answeredAt) await this.answered(callId);
    else if (call?.endedAt) await this.attemptFailed(id, callId, notAnswered(call.status, call.reason));
  }

  private async onCall(e: HotlineEvent): Promise<void> {
    const row = await this.store.ds.manager.findOneBy(CallbackRow, { callId: e.callId!, status: 'dialing' });
    if (!row) return;
    if (e.type === 'call.answered') await this.answered(e.callId!);
    else await this.attemptFailed(row.id, e.callId, notAnswered(e.payload['status'], e.payload['reason']));
  }

  private async answered(callId: string): Promise<void> {
    await this.store.writer.run(async (tx) => {
      const row = await tx.em.findOneBy(CallbackRow, { callId, status: 'dialing' });
      if (row) await this.callbacks.transition(tx, systemActor, row, 'done', {});
    });
    this.inFlight.delete(callId);
  }

  /** One attempt failed: retry later, or fail after maxAttempts. `callId` null: the originate itself failed. */
  private async attemptFailed(id: number, callId: string | null, error: string): Promise<void> {
    await this.store.writer.run(async (tx) => {
      const row = await tx.em.findOneBy(CallbackRow, { id });
      if (row?.status !== 'dialing' || (callId !== null && row.callId !== callId)) return;
      const lastError = error.slice(0, 500);
      if (row.attempts >= row.maxAttempts) {
        await this.callbacks.transition(tx, systemActor, row, 'failed', { lastError });
      } else {
        const dueAt = new Date(this.callbacks.now().getTime() + row.retryMinutes * 60_000);
        await this.callbacks.transition(tx, systemActor, row, 'scheduled', { lastError, dueAt });
      }
    });
    if (callId !== null) this.inFlight.delete(callId);
  }

  /** Callbacks left dialing by a previous run: their calls ended with that run. */
  private async recoverDialing(): Promise<void> {
    for (const row of await this.store.ds.manager.findBy(CallbackRow, { status: 'dialing' })) {
      await this.attemptFailed(row.id, null, 'the server stopped while the callback was being dialled');
    }
  }
}

function notAnswered(status: unknown, reason: unknown): string {
  return `not answered${typeof status === 'number' ? `: ${status}${typeof reason === 'string' && reason ? ` ${reason}` : ''}` : ''}`;
}
