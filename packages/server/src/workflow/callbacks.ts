/**
 * Scheduled callbacks: "call this number back at that time". A callback names the number (E.164,
 * normalized like customer phones in crm.defaultRegion, or an agent's extension), optionally the customer,
 * the agent whose phone rings first, and when it is due. At its due time the scheduler
 * (callback-scheduler.ts) dials it by click-to-call (RFC 3725 flow I, calls/originate.ts) and follows
 * the call: answered -> done; not answered, or the originate refused (agent without a device, busy) ->
 * another attempt `retryMinutes` later, or failed after `maxAttempts`.
 *
 * The agent: the one given, else the customer's preferred agent; else the request is refused. There is
 * no ACD yet (queues are configuration only), so a callback cannot be handed to a queue.
 *
 * Status is a small state machine (TRANSITIONS). Every change is a `callback.<new status>` event with
 * an audit row (events/changes.ts#recordChange); a retry is `callback.scheduled` again.
 */
import type { EntityManager } from 'typeorm';
import { normalizePhone } from '../crm/phone.js';
import { AgentRow, CallbackRow, CustomerPhoneRow, CustomerRow } from '../db/entities/index.js';
import type { WriteContext } from '../db/writer.js';
import { Conflict, InvalidInput, NotFound, type ErrorDetail } from '../errors.js';
import { recordChange, type Actor, type Store } from '../events/changes.js';
import type { Callback, CallbackInput, CallbackQuery, CallbackStatus } from './callback-schemas.js';

/** Which status may follow which. done, failed and cancelled are final. */
export const TRANSITIONS: Record<CallbackStatus, readonly CallbackStatus[]> = {
  scheduled: ['dialing', 'cancelled'],
  dialing: ['done', 'scheduled', 'failed'],
  done: [],
  failed: [],
  cancelled: [],
};

export function callbackDto(r: CallbackRow): Callback {
  return {
    id: r.id, number: r.number, customerId: r.customerId, agent: r.agent, dueAt: r.dueAt.toISOString(), status: r.status as CallbackStatus,
    attempts: r.attempts, maxAttempts: r.maxAttempts, retryMinutes: r.retryMinutes, callId: r.callId, lastError: r.lastError, note: r.note,
    createdBy: r.createdBy, createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString(),
  };
}

const EXTENSION = /^[0-9]{2,15}$/;

export class Callbacks {
  constructor(
    private readonly store: Store,
    private readonly region: string,
    /** Wall-clock time (tests inject one that follows a FakeClock). */
    readonly now: () => Date = () => new Date(),
  ) {}

  async row(id: string | number, em: EntityManager = this.store.ds.manager): Promise<CallbackRow> {
    const k = String(id);
    const row = /^[1-9][0-9]{0,9}$/.test(k) ? await em.findOneBy(CallbackRow, { id: Number(k) }) : null;
    if (!row) throw new NotFound('callback', k);
    return row;
  }

  async get(id: string | number): Promise<Callback> {
    return callbackDto(await this.row(id));
  }

  /** By id, filtered; `limit` (default 100) from `after`. */
  async list(q: CallbackQuery = {}): Promise<Callback[]> {
    const qb = this.store.ds.manager.createQueryBuilder(CallbackRow, 'c').where('c.id > :after', { after: q.after ?? 0 }).orderBy('c.id', 'ASC').take(q.limit ?? 100);
    if (q.status) qb.andWhere('c.status = :status', { status: q.status });
    if (q.agent) qb.andWhere('c.agent = :agent', { agent: q.agent });
    if (q.customerId) qb.andWhere('c.customerId = :customerId', { customerId: q.customerId });
    return (await qb.getMany()).map(callbackDto);
  }

  async create(tx: WriteContext, actor: Actor, input: CallbackInput): Promise<Callback> {
    const problems: ErrorDetail[] = [];
    const now = this.now();
    const dueAt = this.dueAt(input, now, problems);
    const customer = input.customerId !== undefined ? await tx.em.findOneBy(CustomerRow, { id: input.customerId }) : null;
    if (input.customerId !== undefined && !customer) problems.push({ path: '/customerId', message: `there is no customer ${input.customerId}` });
    const number = input.number !== undefined ? await this.number(tx.em, input.number, problems) : customer ? await this.firstPhone(tx.em, customer.id, problems) : null;
    if (input.number === undefined && input.customerId === undefined) problems.push({ path: '/number', message: 'give a number or a customer with a phone number' });
    // A number alone is linked to the customer it belongs to, whose preferred agent may then be used.
    const owner = customer ?? (number && !EXTENSION.test(number) ? await this.ownerOf(tx.em, number) : null);
    const agent = input.agent ?? owner?.preferredAgent ?? null;
    if (input.agent !== undefined && !(await tx.em.findOne(AgentRow, { where: { extension: input.agent }, select: { id: true } }))) {
      problems.push({ path: '/agent', message: `there is no agent with extension ${input.agent}` });
    } else if (agent === null && problems.length === 0) {
      const why = owner ? `customer ${owner.id} has no preferred agent` : 'the number belongs to no customer with a preferred agent';
      problems.push({ path: '/agent', message: `name the agent to call back from: ${why}, and there is no ACD yet to hand a callback to a queue` });
    }
    if (problems.length || number === null || agent === null) throw new InvalidInput('the callback is not valid', problems);
    const row = tx.em.create(CallbackRow, {
      number, customerId: owner?.id ?? null, agent, dueAt, status: 'scheduled', attempts: 0, maxAttempts: input.maxAttempts ?? 3,
      retryMinutes: input.retryMinutes ?? 10, callId: null, lastError: null, note: input.note ?? '', createdBy: actor.name.slice(0, 128), createdAt: now, updatedAt: now,
    });
    await tx.em.save(CallbackRow, row);
    const after = callbackDto(row);
    await recordChange(this.store.events, tx, actor, { type: 'callback.scheduled', subjectType: 'callback', subjectId: String(row.id), agentId: agent, after });
    return after;
  }

  /** Cancel a scheduled callback; one being dialled or finished is a 409. */
  async cancel(tx: WriteContext, actor: Actor, id: string): Promise<Callback> {
    return this.transition(tx, actor, await this.row(id, tx.em), 'cancelled', {});
  }

  /** Move a callback to `to` with `patch`, recorded as `callback.<to>`; 409 when TRANSITIONS forbids it. */
  async transition(tx: WriteContext, actor: Actor, row: CallbackRow, to: CallbackStatus, patch: Partial<CallbackRow>): Promise<Callback> {
    const from = row.status as CallbackStatus;
    if (!TRANSITIONS[from].includes(to)) {
      throw new Conflict(`callback ${row.id} is ${from}${from === 'dialing' ? ` (call ${row.callId ?? 'starting'})` : ''}: it cannot become ${to}`);
    }
    const before = callbackDto(row);
    Object.assign(row, patch, { status: to, updatedAt: this.now() });
    await tx.em.save(CallbackRow, row);
    const after = callbackDto(row);
    await recordChange(this.store.events, tx, actor, { type: `callback.${to}`, subjectType: 'callback', subjectId: String(row.id), agentId: row.agent, before, after });
    return after;
  }

  private dueAt(input: CallbackInput, now: Date, problems: ErrorDetail[]): Date {
    if (input.dueAt !== undefined && input.inMinutes !== undefined) problems.push({ path: '/dueAt', message: 'give dueAt or inMinutes, not both' });
    if (input.inMinutes !== undefined) return new Date(now.getTime() + input.inMinutes * 60_000);
    if (input.dueAt === undefined) return now;
    // A zone is required: a bare local time would be read in the server's zone, which nobody sees.
    const at = /(Z|[+-]\d{2}:?\d{2})$/i.test(input.dueAt) ? new Date(input.dueAt) : new Date(NaN);
    if (Number.isNaN(at.getTime())) problems.push({ path: '/dueAt', message: `${JSON.stringify(input.dueAt)} is not an ISO 8601 time with a zone (2026-11-24T15:00:00Z)` });
    return at;
  }

  /** An agent's extension as is, else E.164. */
  private async number(em: EntityManager, text: string, problems: ErrorDetail[]): Promise<string | null> {
    const t = text.trim();
    if (EXTENSION.test(t) && (await em.findOne(AgentRow, { where: { extension: t }, select: { id: true } }))) return t;
    const r = normalizePhone(t, this.region);
    if (!r.ok) problems.push({ path: '/number', message: r.problem });
    else if (r.phone.ext !== null) problems.push({ path: '/number', message: 'a callback cannot dial an extension behind a number (ext.)' });
    return r.ok ? r.phone.number : null;
  }

  private async firstPhone(em: EntityManager, customerId: number, problems: ErrorDetail[]): Promise<string | null> {
    const phone = await em.findOne(CustomerPhoneRow, { where: { customerId }, order: { id: 'ASC' } });
    if (!phone) problems.push({ path: '/number', message: `customer ${customerId} has no phone number: give one` });
    return phone?.number ?? null;
  }

  /** The customer a number belongs to (the oldest, when several share it). */
  private async ownerOf(em: EntityManager, e164: string): Promise<CustomerRow | null> {
    const phone = await em.findOne(CustomerPhoneRow, { where: { number: e164 }, order: { customerId: 'ASC' } });
    return phone ? em.findOneBy(CustomerRow, { id: phone.customerId }) : null;
  }
}
