/**
 * Retention policies: how long each kind of data is kept (settings `retention.callDays`,
 * `retention.eventDays`, `retention.auditDays`, `retention.ticketDays`; 0 = forever). `run(now)`
 * deletes, in one writer transaction:
 * - call records (and their legs) of calls that ended before now - callDays; live calls are kept;
 * - events (the event log) older than now - eventDays;
 * - audit records older than now - auditDays;
 * - closed tickets whose last change (the ticket row, its newest comment and history entry) is older
 *   than now - ticketDays, with their comments, history, SLA clocks and attachment rows; the attachment
 *   files go once no other row references them (db/files.ts, after the commit).
 * When anything was deleted it records `retention.purged` (subject `retention`, after: the counts and
 * cutoffs; no personal data), as audit record and event, after the purge (so the audit purge never
 * deletes its own summary).
 *
 * Customers are not purged by age: "no activity for N days" would have to take in calls matched by
 * number, notes, tickets and later channels, and deleting the row alone would leave the person's data in
 * tickets, call records, audit and events; customers leave by erasure (privacy.ts), which handles that.
 * The KB is not personal data.
 *
 * RetentionJob runs `run` a minute after start and then every 24 hours on the injected Clock (tests
 * use FakeClock), with the wall-clock time from `wallNow`.
 */
import { In, LessThan, MoreThanOrEqual, type EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import type { FileStore } from '../db/files.js';
import {
  AuditRow, CallLegRow, CallRow, EventRow, TicketAttachmentRow, TicketCommentRow, TicketHistoryRow, TicketRow, TicketSlaRow,
} from '../db/entities/index.js';
import type { WriteContext } from '../db/writer.js';
import { recordChange, systemActor, type Store } from '../events/changes.js';
import type { Clock, TimerHandle } from '../sip/clock.js';

export interface RetentionPolicy {
  /** Days call records are kept after the call ended; 0 = forever. */
  callDays: number;
  /** Days events are kept; 0 = forever. */
  eventDays: number;
  /** Days audit records are kept; 0 = forever. */
  auditDays: number;
  /** Days closed tickets are kept after their last change; 0 = forever. */
  ticketDays: number;
}

export interface PurgeReport {
  calls: number;
  callLegs: number;
  events: number;
  audit: number;
  tickets: number;
  /** Comments, history entries, SLA clocks and attachment rows of the deleted tickets. */
  ticketRows: number;
}

const purged = (r: PurgeReport) => r.calls + r.callLegs + r.events + r.audit + r.tickets + r.ticketRows;
const CHUNK = 500;

const DAY_MS = 86_400_000;

export class Retention {
  /** `files`: the server's file store, whose ticket attachment files go with the last row referencing them. */
  constructor(
    private readonly store: Store,
    readonly policy: RetentionPolicy,
    private readonly files: FileStore,
  ) {}

  async run(now: Date = new Date()): Promise<PurgeReport> {
    const report: PurgeReport = { calls: 0, callLegs: 0, events: 0, audit: 0, tickets: 0, ticketRows: 0 };
    const p = this.policy;
    if (p.callDays <= 0 && p.eventDays <= 0 && p.auditDays <= 0 && p.ticketDays <= 0) return report;
    const cutoff = (days: number) => new Date(now.getTime() - days * DAY_MS);
    return this.store.writer.run(async (tx) => {
      const cutoffs: Record<string, string> = {};
      if (p.callDays > 0) {
        const at = cutoff(p.callDays);
        cutoffs.calls = at.toISOString();
        const ids = (await tx.em.find(CallRow, { where: { endedAt: LessThan(at) }, select: { id: true } })).map((c) => c.id);
        for (let i = 0; i < ids.length; i += CHUNK) {
          const chunk = ids.slice(i, i + CHUNK);
          report.callLegs += (await tx.em.delete(CallLegRow, { callId: In(chunk) })).affected ?? 0;
          report.calls += (await tx.em.delete(CallRow, { id: In(chunk) })).affected ?? 0;
        }
      }
      if (p.eventDays > 0) {
        const at = cutoff(p.eventDays);
        cutoffs.events = at.toISOString();
        report.events = (await tx.em.delete(EventRow, { at: LessThan(at) })).affected ?? 0;
      }
      if (p.auditDays > 0) {
        const at = cutoff(p.auditDays);
        cutoffs.audit = at.toISOString();
        report.audit = (await tx.em.delete(AuditRow, { at: LessThan(at) })).affected ?? 0;
      }
      if (p.ticketDays > 0) {
        const at = cutoff(p.ticketDays);
        cutoffs.tickets = at.toISOString();
        await this.purgeTickets(tx, at, report);
      }
      if (purged(report) > 0) {
        await recordChange(this.store.events, tx, systemActor, { type: 'retention.purged', subjectType: 'retention', subjectId: 'policy', after: { ...report, cutoffs } });
      }
      return report;
    });
  }

  /** Closed tickets last changed before `at`: a comment or history entry since then keeps the ticket. */
  private async purgeTickets(tx: WriteContext, at: Date, report: PurgeReport): Promise<void> {
    const em = tx.em;
    const old = (await em.find(TicketRow, { where: { status: 'closed', updatedAt: LessThan(at) }, select: { id: true } })).map((r) => r.id);
    for (let i = 0; i < old.length; i += CHUNK) {
      const chunk = old.slice(i, i + CHUNK);
      const recent = new Set([
        ...(await em.find(TicketCommentRow, { where: { ticketId: In(chunk), createdAt: MoreThanOrEqual(at) }, select: { ticketId: true } })),
        ...(await em.find(TicketHistoryRow, { where: { ticketId: In(chunk), at: MoreThanOrEqual(at) }, select: { ticketId: true } })),
      ].map((r) => r.ticketId));
      const ids = chunk.filter((id) => !recent.has(id));
      if (ids.length) await this.deleteTickets(tx, em, ids, report);
    }
  }

  private async deleteTickets(tx: WriteContext, em: EntityManager, ids: number[], report: PurgeReport): Promise<void> {
    const files = await em.find(TicketAttachmentRow, { where: { ticketId: In(ids) }, select: { id: true, sha256: true } });
    for (const entity of [TicketCommentRow, TicketHistoryRow, TicketSlaRow, TicketAttachmentRow]) {
      report.ticketRows += (await em.delete(entity, { ticketId: In(ids) })).affected ?? 0;
    }
    report.tickets += (await em.delete(TicketRow, { id: In(ids) })).affected ?? 0;
    this.files.releaseAfterCommit(tx, this.store.writer, files.map((f) => f.sha256));
  }
}

export class RetentionJob {
  private timer: TimerHandle | null = null;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly retention: Retention,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly wallNow: () => Date = () => new Date(),
    private readonly firstMs = 60_000,
    private readonly everyMs = DAY_MS,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(this.firstMs);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimer(ms, () => {
      this.running = this.retention.run(this.wallNow())
        .then((r) => { if (purged(r) > 0) this.log.info(r, 'retention purge'); })
        .catch((err: unknown) => this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'retention purge failed'))
        .finally(() => this.schedule(this.everyMs));
    });
  }

  /** Stop the timer and wait for a purge in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) this.clock.clearTimer(this.timer);
    this.timer = null;
    await this.running;
  }
}
