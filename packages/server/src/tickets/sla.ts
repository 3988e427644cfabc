/**
 * SLA clocks of tickets. When a ticket is created, the oldest SLA policy listing its priority (if any)
 * starts two clocks (a customer reply may start a third), due in business minutes of the policy's calendar (business-time.ts):
 *
 * | target         | starts                                      | met by                                   |
 * |----------------|---------------------------------------------|------------------------------------------|
 * | first_response | ticket created                              | the first public comment by staff        |
 * | next_response  | a customer reply (`fromCustomer` comment),  | the next public comment by staff         |
 * |                | when the policy has next-response minutes   |                                          |
 * |                | and none is running                         |                                          |
 * | resolution     | ticket created                              | status resolved (or closed)              |
 *
 * Resolving (or closing) a ticket meets every clock still running, so a solved ticket never breaches a
 * response target later.
 *
 * Pending pauses the resolution clock: entering pending records `paused_at`; leaving it adds the
 * business time spent paused to `paused_seconds` and moves the due time later by exactly that (the
 * business time that was left is counted again from now). Reopening (resolved -> open) clears `met_at`
 * of the resolution clock and keeps its due time. The policy is chosen once, at creation: a later
 * priority change does not change the clocks.
 *
 * `check(now)` (run every minute by SlaJob on the injected Clock) marks each running clock whose due
 * time has passed as breached, once: `breached_at` is set, `ticket.sla_breached` is recorded (audit
 * row + event; payload: target, policy, dueAt) and the ticket escalates: its priority goes up one level
 * (low -> normal -> high -> urgent; urgent stays), recorded as `ticket.updated` by `system` with a
 * history row. Each breached target escalates once.
 */
import { In, IsNull, LessThanOrEqual, type EntityManager } from 'typeorm';
import { CalendarRow, SlaPolicyRow, TicketSlaRow, type TicketCommentRow, type TicketRow } from '../db/entities/index.js';
import type { WriteContext } from '../db/writer.js';
import { systemActor, recordChange, type Store } from '../events/changes.js';
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../sip/clock.js';
import { addBusinessMinutes, businessMinutesBetween } from './business-time.js';
import { businessCalendar, type SlaPolicies } from './calendars.js';
import type { SlaTarget } from './schemas.js';
import { PRIORITIES, type TicketPriority, type TicketStatus } from './status.js';
import { parseTicketId, type TicketObserver, type Tickets } from './tickets.js';

export type SlaTargetName = 'first_response' | 'next_response' | 'resolution';

/** The priority one level up (urgent stays urgent). */
export function escalated(p: TicketPriority): TicketPriority {
  return PRIORITIES[Math.min(PRIORITIES.indexOf(p) + 1, PRIORITIES.length - 1)]!;
}

export class Sla implements TicketObserver {
  constructor(
    private readonly store: Store,
    private readonly tickets: Tickets,
    private readonly policies: SlaPolicies,
    /** Wall-clock time (tests inject one). */
    private readonly now: () => Date = () => new Date(),
  ) {
    tickets.observe(this);
  }

  private async calendarOf(em: EntityManager, policyId: number): Promise<{ policy: SlaPolicyRow; cal: ReturnType<typeof businessCalendar> } | null> {
    const policy = await em.findOne(SlaPolicyRow, { where: { id: policyId } });
    const cal = policy ? await em.findOne(CalendarRow, { where: { id: policy.calendarId } }) : null;
    return policy && cal ? { policy, cal: businessCalendar(cal) } : null;
  }

  async created(tx: WriteContext, ticket: TicketRow): Promise<void> {
    const policy = await this.policies.forPriority(tx.em, ticket.priority);
    if (!policy) return;
    const c = await tx.em.findOne(CalendarRow, { where: { id: policy.calendarId } });
    if (!c) return;
    const cal = businessCalendar(c);
    const start = ticket.createdAt;
    for (const [target, minutes] of [['first_response', policy.firstResponseMinutes], ['resolution', policy.resolutionMinutes]] as const) {
      await tx.em.save(TicketSlaRow, tx.em.create(TicketSlaRow, {
        ticketId: ticket.id, policyId: policy.id, target, startedAt: start, dueAt: addBusinessMinutes(cal, start, minutes),
        pausedAt: null, pausedSeconds: 0, metAt: null, breachedAt: null,
      }));
    }
  }

  async commented(tx: WriteContext, ticket: TicketRow, comment: TicketCommentRow): Promise<void> {
    const running = await tx.em.find(TicketSlaRow, { where: { ticketId: ticket.id, metAt: IsNull() } });
    const at = comment.createdAt;
    if (comment.fromCustomer) {
      if (running.some((r) => r.target === 'next_response')) return;
      const any = (await tx.em.findOne(TicketSlaRow, { where: { ticketId: ticket.id }, order: { id: 'ASC' } }));
      const found = any ? await this.calendarOf(tx.em, any.policyId) : null;
      if (!found || found.policy.nextResponseMinutes === null) return;
      await tx.em.save(TicketSlaRow, tx.em.create(TicketSlaRow, {
        ticketId: ticket.id, policyId: found.policy.id, target: 'next_response', startedAt: at,
        dueAt: addBusinessMinutes(found.cal, at, found.policy.nextResponseMinutes), pausedAt: null, pausedSeconds: 0, metAt: null, breachedAt: null,
      }));
      return;
    }
    if (!comment.isPublic) return;
    for (const r of running.filter((x) => x.target === 'first_response' || x.target === 'next_response')) {
      r.metAt = at;
      await tx.em.save(TicketSlaRow, r);
    }
  }

  async statusChanged(tx: WriteContext, ticket: TicketRow, from: TicketStatus): Promise<void> {
    const now = this.now();
    const to = ticket.status as TicketStatus;
    const resolution = await tx.em.findOne(TicketSlaRow, { where: { ticketId: ticket.id, target: 'resolution' } });
    if (!resolution) return;
    if (to === 'pending' && resolution.metAt === null && resolution.pausedAt === null) {
      resolution.pausedAt = now;
    } else if (from === 'pending' && resolution.pausedAt !== null) {
      const found = await this.calendarOf(tx.em, resolution.policyId);
      if (found) {
        const left = businessMinutesBetween(found.cal, resolution.pausedAt, resolution.dueAt);
        resolution.pausedSeconds += Math.round(businessMinutesBetween(found.cal, resolution.pausedAt, now) * 60);
        resolution.dueAt = addBusinessMinutes(found.cal, now, left);
      }
      resolution.pausedAt = null;
    }
    if (from === 'resolved' && to === 'open') resolution.metAt = null;
    await tx.em.save(TicketSlaRow, resolution);
    if (to === 'resolved' || to === 'closed') {
      // Solving a ticket fulfils every clock still running (an unanswered response clock cannot breach later).
      for (const r of await tx.em.find(TicketSlaRow, { where: { ticketId: ticket.id, metAt: IsNull() } })) {
        r.metAt = now;
        await tx.em.save(TicketSlaRow, r);
      }
    }
  }

  /** The SLA clocks of a ticket, in the order they started. */
  async targets(id: string): Promise<SlaTarget[]> {
    const em = this.store.ds.manager;
    const ticket = await this.tickets.row(parseTicketId(id));
    const rows = await em.find(TicketSlaRow, { where: { ticketId: ticket.id }, order: { id: 'ASC' } });
    const names = new Map((await em.find(SlaPolicyRow, { where: { id: In([...new Set(rows.map((r) => r.policyId)), 0]) } })).map((p) => [p.id, p.name]));
    return rows.map((r) => ({
      target: r.target as SlaTargetName, policy: names.get(r.policyId) ?? '', startedAt: r.startedAt.toISOString(), dueAt: r.dueAt.toISOString(),
      paused: r.pausedAt !== null, pausedMinutes: r.pausedSeconds / 60, metAt: r.metAt?.toISOString() ?? null, breachedAt: r.breachedAt?.toISOString() ?? null,
    }));
  }

  /** Mark every running clock due at or before `now` as breached (once each) and escalate; returns how many. */
  async check(now: Date = this.now()): Promise<number> {
    const due = await this.store.ds.manager.find(TicketSlaRow, {
      where: { metAt: IsNull(), breachedAt: IsNull(), pausedAt: IsNull(), dueAt: LessThanOrEqual(now) }, order: { dueAt: 'ASC', id: 'ASC' }, take: 500,
    });
    let n = 0;
    for (const candidate of due) {
      const breached = await this.store.writer.run(async (tx) => {
        // Re-read inside the write: a comment or status change may have met or paused it meanwhile.
        const r = await tx.em.findOne(TicketSlaRow, { where: { id: candidate.id } });
        if (!r || r.metAt || r.breachedAt || r.pausedAt || r.dueAt.getTime() > now.getTime()) return false;
        r.breachedAt = now;
        await tx.em.save(TicketSlaRow, r);
        const ticket = await this.tickets.row(r.ticketId, tx.em);
        const policy = await tx.em.findOne(SlaPolicyRow, { where: { id: r.policyId } });
        await recordChange(this.store.events, tx, systemActor, {
          type: 'ticket.sla_breached', subjectType: 'ticket', subjectId: String(ticket.id), agentId: ticket.assignee,
          after: { ticketId: ticket.id, target: r.target, policy: policy?.name ?? null, dueAt: r.dueAt.toISOString(), priority: ticket.priority },
        });
        await this.tickets.apply(tx, systemActor, ticket, { priority: escalated(ticket.priority as TicketPriority) }, 'ticket.updated');
        return true;
      });
      if (breached) n++;
    }
    return n;
  }
}

/** Runs Sla.check every `everyMs` (one minute) on the given clock; failures are logged, never thrown. */
export class SlaJob {
  private timer: TimerHandle | null = null;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly sla: Sla,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly everyMs = 60_000,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimer(this.everyMs, () => {
      this.running = this.sla.check()
        .catch((err: unknown) => this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'SLA check failed'))
        .finally(() => this.schedule());
    });
  }

  /** Stop the timer and wait for a check in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) this.clock.clearTimer(this.timer);
    this.timer = null;
    await this.running;
  }
}
