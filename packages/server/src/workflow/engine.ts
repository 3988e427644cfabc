/**
 * The rule engine. It hears every committed event (events/log.ts#subscribe) and, for each enabled rule
 * whose trigger matches the event type and whose conditions all hold, runs the rule's actions: the
 * ticket, note and callback actions in one write transaction through the domain services (ports passed in from
 * main.ts), acting as `rule:<name>` (so audit rows name the rule), then its webhooks (workflow/webhook.ts).
 * Cron rules (workflow/cron.ts) run at each matching UTC minute with a `rule.scheduled` event.
 *
 * Loops: the events a rule's transaction appends are emitted inside an AsyncLocalStorage context that
 * holds the chain of rule ids that caused them, so the engine knows each event's causes. A rule never
 * runs for an event it (transitively) caused, and a chain longer than `maxDepth` stops; both are
 * logged as a `rule.loop_stopped` event. A failing rule is logged as `rule.failed` (its transaction
 * rolled back) and never disturbs the server. Webhooks are delivered beside the event queue (a slow
 * receiver delays no other rule) and logged as `rule.webhook_delivered` or `rule.failed` with every
 * attempt. The engine ignores `rule.*` events (its own log).
 *
 * Events are handled one at a time in cursor order (a promise chain), so tests and shutdown can wait
 * for `idle()`. The enabled rules are cached and re-read after each rule change heard on this node.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from 'pino';
import { CallRow, type RuleRow } from '../db/entities/index.js';
import type { WriteContext } from '../db/writer.js';
import type { Actor, Store } from '../events/changes.js';
import type { HotlineEvent } from '../events/log.js';
import { systemClock, type Clock, type TimerHandle } from '../sip/clock.js';
import { allHold, typeMatches, type Condition } from './conditions.js';
import { cronMatches, parseCron, type Cron } from './cron.js';
import { renderAction, type Rules } from './rules.js';
import type { Action } from './schemas.js';
import { deliver, type WebhookOptions } from './webhook.js';
import { SerialQueue } from './serial.js';

/** What rules may do, wired to the ticket and CRM services in main.ts (workflow/ does not import them). */
export interface RuleActionPorts {
  /** `sourceCallId`: the event's call (the ticket links it, and takes the customer matching its number). */
  createTicket(
    tx: WriteContext, actor: Actor,
    input: { subject: string; description?: string; priority?: string; tags?: string[]; customerId?: number; channel: string; sourceCallId?: string },
  ): Promise<{ id: number }>;
  updateTicket(tx: WriteContext, actor: Actor, id: string, patch: { priority?: string; tags?: string[] }): Promise<unknown>;
  setTicketStatus(tx: WriteContext, actor: Actor, id: string, status: string): Promise<unknown>;
  assignTicket(tx: WriteContext, actor: Actor, id: string, assignee: string | null): Promise<unknown>;
  addCustomerNote(tx: WriteContext, actor: Actor, customerId: string, text: string): Promise<unknown>;
  scheduleCallback(tx: WriteContext, actor: Actor, input: { number?: string; customerId?: number; agent?: string; inMinutes: number; note?: string }): Promise<unknown>;
}

export interface EngineOptions {
  /** Longest chain of rules causing each other before the engine stops (default 5). */
  maxDepth?: number;
  webhook?: WebhookOptions;
  /** Timers of the cron scheduler. */
  clock?: Clock;
  /** Wall-clock time for cron schedules (tests pass one that follows a FakeClock). */
  now?: () => Date;
}

/** An event as the engine sees it: a logged event or a scheduled tick. */
export type RuleEvent = Omit<HotlineEvent, 'cursor'> & { cursor: number | null };

const chains = new AsyncLocalStorage<number[]>();

export class RuleEngine {
  private unsubscribe: (() => void) | null = null;
  private readonly tasks = new SerialQueue((err) => this.log.error({ err: err instanceof Error ? err.message : String(err) }, 'rule engine error'));
  private timer: TimerHandle | null = null;
  private readonly maxDepth: number;
  private readonly clock: Clock;
  private readonly now: () => Date;
  private readonly crons = new Map<string, Cron>();
  /** Enabled rules, read once and again after each rule change (rule.* events of this node). */
  private cache: RuleRow[] | null = null;
  /** Webhook deliveries in flight: they run beside the queue, so a slow receiver delays no other rule. */
  private readonly deliveries = new Set<Promise<void>>();
  private stopping = new AbortController();

  constructor(
    private readonly store: Store,
    private readonly rules: Rules,
    private readonly ports: RuleActionPorts,
    private readonly log: Logger,
    private readonly opts: EngineOptions = {},
  ) {
    this.maxDepth = opts.maxDepth ?? 5;
    this.clock = opts.clock ?? systemClock;
    this.now = opts.now ?? (() => new Date());
  }

  start(): void {
    if (this.unsubscribe) return;
    if (this.stopping.signal.aborted) this.stopping = new AbortController();
    this.unsubscribe = this.store.events.subscribe((e) => {
      if (e.type.startsWith('rule.')) {
        // A rule changed: re-read the rules, in order with the events around the change.
        if (['rule.created', 'rule.updated', 'rule.deleted'].includes(e.type)) this.enqueue(async () => void (this.cache = null));
        return;
      }
      const chain = chains.getStore() ?? [];
      this.enqueue(() => this.onEvent(e, chain));
    });
    this.scheduleTick();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.timer) this.clock.clearTimer(this.timer);
    this.timer = null;
    this.stopping.abort(); // webhook retries end now
    await this.idle();
  }

  /** Resolves when every event heard so far has been handled and its webhooks delivered or given up. */
  async idle(): Promise<void> {
    do {
      await this.tasks.idle();
      await Promise.all([...this.deliveries]);
    } while (this.tasks.busy || this.deliveries.size > 0);
  }

  private enqueue(fn: () => Promise<void>): void {
    this.tasks.push(fn);
  }

  private scheduleTick(): void {
    const wall = this.now().getTime();
    const next = Math.floor(wall / 60_000) * 60_000 + 60_000;
    this.timer = this.clock.setTimer(next - wall, () => {
      const minute = new Date(next);
      this.enqueue(() => this.onMinute(minute));
      if (this.unsubscribe) this.scheduleTick();
    });
  }

  private async enabledRules(): Promise<RuleRow[]> {
    this.cache ??= await this.rules.enabled();
    return this.cache;
  }

  private cronOf(row: RuleRow): Cron {
    let c = this.crons.get(row.trigger);
    if (!c) this.crons.set(row.trigger, (c = parseCron(row.trigger)));
    return c;
  }

  private async onMinute(minute: Date): Promise<void> {
    for (const rule of await this.enabledRules()) {
      if (rule.triggerKind !== 'cron' || !cronMatches(this.cronOf(rule), minute)) continue;
      const e: RuleEvent = {
        cursor: null, type: 'rule.scheduled', at: minute.toISOString(), subjectType: 'rule', subjectId: String(rule.id),
        agentId: null, queueId: null, callId: null, payload: { scheduledAt: minute.toISOString() },
      };
      await this.run(rule, e, [], `cron-${minute.toISOString()}-${rule.id}`);
    }
  }

  private async onEvent(e: HotlineEvent, chain: number[]): Promise<void> {
    for (const rule of await this.enabledRules()) {
      if (rule.triggerKind !== 'event' || !typeMatches(rule.trigger, e.type)) continue;
      if (!allHold(rule.conditions as Condition[], e)) continue;
      if (chain.includes(rule.id) || chain.length >= this.maxDepth) {
        const reason = chain.includes(rule.id) ? 'the rule caused this event' : `a chain of ${chain.length} rules reached the limit of ${this.maxDepth}`;
        this.log.warn({ rule: rule.name, event: e.cursor, chain }, `rule loop stopped: ${reason}`);
        await this.logEvent(rule, 'rule.loop_stopped', { event: e.cursor, eventType: e.type, chain, reason });
        continue;
      }
      await this.run(rule, e, chain, `${e.cursor}-${rule.id}`);
    }
  }

  /** Run one rule's actions for an event; never throws. */
  private async run(rule: RuleRow, e: RuleEvent, chain: number[], idempotencyKey: string): Promise<void> {
    const actor: Actor = { userId: null, name: `rule:${rule.name}`, role: 'admin', source: 'rule' };
    const next = [...chain, rule.id];
    const actions = rule.actions as Action[];
    const local = actions.filter((a) => a.type !== 'webhook');
    try {
      if (local.length) {
        await this.store.writer.run(async (real) => {
          const tx: WriteContext = { em: real.em, afterCommit: (h) => real.afterCommit(() => chains.run(next, h)) };
          for (const a of local) await this.apply(tx, actor, a, renderAction(a, e as unknown as Record<string, unknown>), e);
        });
      }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const details = (err as { details?: unknown }).details ?? [];
      this.log.warn({ rule: rule.name, event: e.cursor, err: message }, 'rule failed');
      await this.logEvent(rule, 'rule.failed', { event: e.cursor, eventType: e.type, message, details });
      return;
    }
    for (const a of actions) {
      if (a.type !== 'webhook') continue;
      const p = this.webhook(rule, a, e, idempotencyKey).finally(() => this.deliveries.delete(p));
      this.deliveries.add(p);
    }
  }

  /** Deliver one webhook action and log the delivery; never throws. */
  private async webhook(rule: RuleRow, a: Action, e: RuleEvent, idempotencyKey: string): Promise<void> {
    try {
      const secret = this.rules.secretOf(rule) ?? '';
      const body = JSON.stringify({ rule: { id: rule.id, name: rule.name }, event: e });
      const d = await deliver(a.url!, body, secret, idempotencyKey, a.attempts ?? 5, { ...this.opts.webhook, signal: this.stopping.signal });
      await this.logEvent(rule, d.ok ? 'rule.webhook_delivered' : 'rule.failed', { event: e.cursor, eventType: e.type, url: a.url, idempotencyKey, attempts: d.attempts, ...(d.ok ? {} : { message: 'webhook delivery failed' }) });
    } catch (err) {
      await this.logEvent(rule, 'rule.failed', { event: e.cursor, eventType: e.type, url: a.url, message: err instanceof Error ? err.message : String(err) });
    }
  }

  private async apply(tx: WriteContext, actor: Actor, a: Action, p: Record<string, unknown>, e: RuleEvent): Promise<void> {
    const str = (k: string) => (typeof p[k] === 'string' && p[k] !== '' ? (p[k] as string) : undefined);
    const need = (k: string) => {
      const v = str(k);
      if (v === undefined) throw new Error(`${a.type}: ${k} is empty for this event`);
      return v;
    };
    switch (a.type) {
      case 'create_ticket': {
        const customer = str('customerId');
        // The event's call is linked when it has a record (the B2BUA writes it with its events; events
        // appended otherwise may name a call without one, and the ticket is still made).
        const call = e.callId && (await tx.em.exists(CallRow, { where: { id: e.callId } })) ? e.callId : undefined;
        await this.ports.createTicket(tx, actor, {
          subject: need('subject'),
          ...(str('description') !== undefined ? { description: str('description')! } : {}),
          ...(a.priority ? { priority: a.priority } : {}),
          ...(a.tags ? { tags: a.tags } : {}),
          ...(customer !== undefined ? { customerId: Number(customer) } : {}),
          channel: e.callId || e.type.startsWith('call.') ? 'phone' : 'manual',
          ...(call ? { sourceCallId: call } : {}),
        });
        return;
      }
      case 'update_ticket': {
        const id = need('ticketId');
        if (a.priority !== undefined || a.tags !== undefined) {
          await this.ports.updateTicket(tx, actor, id, { ...(a.priority ? { priority: a.priority } : {}), ...(a.tags ? { tags: a.tags } : {}) });
        }
        if (a.status !== undefined) await this.ports.setTicketStatus(tx, actor, id, a.status);
        return;
      }
      case 'assign_ticket':
        await this.ports.assignTicket(tx, actor, need('ticketId'), a.assignee === null ? null : need('assignee'));
        return;
      case 'add_customer_note':
        await this.ports.addCustomerNote(tx, actor, need('customerId'), need('text'));
        return;
      case 'schedule_callback': {
        const customer = str('customerId');
        await this.ports.scheduleCallback(tx, actor, {
          inMinutes: a.inMinutes!,
          ...(str('number') !== undefined ? { number: str('number')! } : {}),
          ...(customer !== undefined ? { customerId: Number(customer) } : {}),
          ...(str('agent') !== undefined ? { agent: str('agent')! } : {}),
          ...(str('note') !== undefined ? { note: str('note')! } : {}),
        });
        return;
      }
      case 'webhook':
        return;
    }
  }

  private async logEvent(rule: RuleRow, type: string, payload: Record<string, unknown>): Promise<void> {
    try {
      await this.store.writer.run((tx) => this.store.events.append(tx, { type, subjectType: 'rule', subjectId: String(rule.id), payload: { rule: rule.name, ...payload } }));
    } catch (err) {
      this.log.error({ rule: rule.name, type, err: err instanceof Error ? err.message : String(err) }, 'could not log a rule event');
    }
  }
}
