/**
 * Tickets: create (by hand or from a call), read, list (paged by id, filtered), update, assign, change
 * status (tickets/status.ts: the transition table; a refused transition is a 409 naming the allowed
 * targets), comment (internal or public). Every change is written field by field to `ticket_history`
 * (field, before, after, actor, at) and recorded through events/changes.ts#recordChange as one of
 * ticket.created | ticket.updated | ticket.commented | ticket.status_changed | ticket.assigned (audit row + event).
 *
 * References are checked when written: the customer must exist, the assignee must be an agent's
 * extension, the group must be a queue's name, the source call must be a call record (else 404).
 *
 * A ticket from a call (`sourceCallId`) gets channel `phone`, a default subject naming the call's remote
 * number (`Call from +4930...`, `Call to ...` for outbound calls) and, when no customer is given, the
 * customer whose phone matches that number, if exactly one does. Matching is the timeline's
 * (crm/phone.ts#callNumberForms: a customer's E.164 number in any form a call record may hold it).
 *
 * Who may change what (security/roles.ts): `tickets:write` lets a caller create and comment;
 * callers without `tickets:manage` (agents) may change only tickets that are unassigned or assigned
 * to their own agent (the agent whose user is the caller), and may assign only to themselves or nobody.
 */
import type { EntityManager } from 'typeorm';
import { callNumberForms } from '../crm/phone.js';
import { AgentRow, CallRow, CustomerPhoneRow, CustomerRow, QueueRow, TicketCommentRow, TicketHistoryRow, TicketRow } from '../db/entities/index.js';
import { LIKE_ESCAPE } from '../db/like.js';
import type { WriteContext } from '../db/writer.js';
import { Conflict, Forbidden, InvalidInput, NotFound, type ErrorDetail } from '../errors.js';
import { recordChange, type Actor, type Store } from '../events/changes.js';
import type { CommentInput, HistoryEntry, Ticket, TicketComment, TicketInput, TicketPage, TicketPatch } from './schemas.js';
import { mayTransition, TRANSITIONS, type TicketStatus } from './status.js';

export interface TicketQuery {
  after?: number;
  limit?: number;
  status?: string;
  /** An extension, or `none` for unassigned tickets. */
  assignee?: string;
  customerId?: number;
  group?: string;
  priority?: string;
  tag?: string;
}

/** The fields recorded in the history, in this order. */
const FIELDS = ['subject', 'description', 'customerId', 'channel', 'priority', 'status', 'assignee', 'group', 'tags', 'sourceCallId'] as const;
type Field = (typeof FIELDS)[number];

export function ticketDto(r: TicketRow): Ticket {
  return {
    id: r.id, subject: r.subject, description: r.description, customerId: r.customerId, channel: r.channel as Ticket['channel'],
    priority: r.priority as Ticket['priority'], status: r.status as Ticket['status'], assignee: r.assignee, group: r.group, tags: r.tags,
    sourceCallId: r.sourceCallId, createdBy: r.createdBy, createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString(),
  };
}

function commentDto(r: TicketCommentRow): TicketComment {
  return { id: r.id, ticketId: r.ticketId, author: r.author, public: r.isPublic, fromCustomer: r.fromCustomer, text: r.text, createdAt: r.createdAt.toISOString() };
}

export function parseTicketId(id: string | number): number {
  const n = typeof id === 'number' ? id : /^[1-9][0-9]{0,9}$/.test(id) ? Number(id) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new NotFound('ticket', id);
  return n;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const dedupe = (tags: string[]) => [...new Set(tags)];

/** Called inside the write transaction after a ticket changed (the SLA clocks hook in here). */
export interface TicketObserver {
  created?(tx: WriteContext, ticket: TicketRow): Promise<void>;
  statusChanged?(tx: WriteContext, ticket: TicketRow, from: TicketStatus): Promise<void>;
  commented?(tx: WriteContext, ticket: TicketRow, comment: TicketCommentRow): Promise<void>;
}

export class Tickets {
  private readonly observers: TicketObserver[] = [];

  constructor(
    private readonly store: Store,
    /** Wall-clock time of changes (tests inject one). */
    private readonly now: () => Date = () => new Date(),
  ) {}

  observe(o: TicketObserver): void {
    this.observers.push(o);
  }

  async row(id: string | number, em: EntityManager = this.store.ds.manager): Promise<TicketRow> {
    const row = await em.findOne(TicketRow, { where: { id: parseTicketId(id) } });
    if (!row) throw new NotFound('ticket', id);
    return row;
  }

  async get(id: string | number): Promise<Ticket> {
    return ticketDto(await this.row(id));
  }

  async list(q: TicketQuery = {}): Promise<TicketPage> {
    const limit = q.limit ?? 100;
    const qb = this.store.ds.manager.createQueryBuilder(TicketRow, 't').where('t.id > :after', { after: q.after ?? 0 }).orderBy('t.id', 'ASC').take(limit + 1);
    if (q.status) qb.andWhere('t.status = :status', { status: q.status });
    if (q.assignee === 'none') qb.andWhere('t.assignee IS NULL');
    else if (q.assignee) qb.andWhere('t.assignee = :assignee', { assignee: q.assignee });
    if (q.customerId) qb.andWhere('t.customerId = :customerId', { customerId: q.customerId });
    if (q.group) qb.andWhere('t.group = :group', { group: q.group });
    if (q.priority) qb.andWhere('t.priority = :priority', { priority: q.priority });
    if (q.tag) qb.andWhere(`t.tags LIKE :tag ${LIKE_ESCAPE}`, { tag: `%${JSON.stringify(q.tag).replace(/[!%_]/g, '!$&')}%` });
    const rows = await qb.getMany();
    const page = rows.slice(0, limit);
    return { tickets: page.map(ticketDto), next: rows.length > limit ? page[page.length - 1]!.id : null };
  }

  async comments(id: string, includeInternal = true): Promise<TicketComment[]> {
    const t = await this.row(id);
    const rows = await this.store.ds.manager.find(TicketCommentRow, { where: { ticketId: t.id }, order: { id: 'ASC' } });
    return rows.filter((r) => includeInternal || r.isPublic).map(commentDto);
  }

  /** Every recorded change of a ticket, oldest first. */
  async history(id: string): Promise<HistoryEntry[]> {
    const t = await this.row(id);
    const rows = await this.store.ds.manager.find(TicketHistoryRow, { where: { ticketId: t.id }, order: { id: 'ASC' } });
    return rows.map((r) => ({ id: r.id, field: r.field, before: r.before ?? null, after: r.after ?? null, actor: r.actor, at: r.at.toISOString() }));
  }

  async create(tx: WriteContext, actor: Actor, input: TicketInput, manage: boolean): Promise<Ticket> {
    const em = tx.em;
    const call = input.sourceCallId === undefined ? null : await em.findOne(CallRow, { where: { id: input.sourceCallId } });
    if (input.sourceCallId !== undefined && !call) throw new NotFound('call', input.sourceCallId);
    const remote = call ? (call.direction === 'outbound' ? call.toExt : call.fromExt) : null;
    const subject = input.subject?.trim() || (call ? `Call ${call.direction === 'outbound' ? 'to' : 'from'} ${remote}` : '');
    const customerId = input.customerId !== undefined ? input.customerId : remote === null ? null : await customerByNumber(em, remote);
    const problems: ErrorDetail[] = [];
    if (!subject) problems.push({ path: '/subject', message: 'a subject is required unless the ticket comes from a call (sourceCallId)' });
    await this.checkRefs(em, input, problems);
    if (problems.length) throw invalid(problems);
    if (!manage && input.assignee !== undefined && input.assignee !== null) await this.mayAssign(em, actor, input.assignee);
    const now = this.now();
    const row = em.create(TicketRow, {
      subject, description: input.description ?? '', customerId,
      channel: input.channel ?? (input.sourceCallId ? 'phone' : 'manual'), priority: input.priority ?? 'normal', status: 'new',
      assignee: input.assignee ?? null, group: input.group ?? null, tags: dedupe(input.tags ?? []), sourceCallId: input.sourceCallId ?? null,
      createdBy: actor.name, createdAt: now, updatedAt: now,
    });
    await em.save(TicketRow, row);
    const after = ticketDto(row);
    await this.writeHistory(em, actor, row.id, FIELDS.filter((f) => !same(after[f], emptyValue(f))).map((f) => ({ field: f, before: null, after: after[f] })), now);
    for (const o of this.observers) await o.created?.(tx, row);
    await recordChange(this.store.events, tx, actor, { type: 'ticket.created', subjectType: 'ticket', subjectId: String(row.id), after: ticketDto(row), agentId: row.assignee });
    return ticketDto(row);
  }

  async update(tx: WriteContext, actor: Actor, id: string, patch: TicketPatch, manage: boolean): Promise<Ticket> {
    const row = await this.row(id, tx.em);
    if (!manage) await this.mayChange(tx.em, actor, row);
    const problems: ErrorDetail[] = [];
    await this.checkRefs(tx.em, patch, problems);
    if (problems.length) throw invalid(problems);
    const next: Partial<Record<Field, unknown>> = {
      subject: patch.subject?.trim(), description: patch.description, customerId: patch.customerId, priority: patch.priority,
      group: patch.group, tags: patch.tags ? dedupe(patch.tags) : undefined,
    };
    return this.apply(tx, actor, row, next, 'ticket.updated');
  }

  async setStatus(tx: WriteContext, actor: Actor, id: string, status: TicketStatus, manage: boolean): Promise<Ticket> {
    const row = await this.row(id, tx.em);
    if (!manage) await this.mayChange(tx.em, actor, row);
    const from = row.status as TicketStatus;
    if (!mayTransition(from, status)) {
      const allowed = TRANSITIONS[from];
      throw new Conflict(
        `ticket ${row.id} cannot go from ${from} to ${status}: ${allowed.length ? `allowed: ${allowed.join(', ')}` : `${from} is final`}`,
        [{ path: '/status', message: `allowed from ${from}: ${allowed.length ? allowed.join(', ') : 'none'}` }],
      );
    }
    const dto = await this.apply(tx, actor, row, { status }, 'ticket.status_changed');
    for (const o of this.observers) await o.statusChanged?.(tx, row, from);
    return dto;
  }

  async assign(tx: WriteContext, actor: Actor, id: string, assignee: string | null, manage: boolean): Promise<Ticket> {
    const row = await this.row(id, tx.em);
    if (!manage) {
      await this.mayChange(tx.em, actor, row);
      if (assignee !== null) await this.mayAssign(tx.em, actor, assignee);
    }
    if (assignee !== null && !(await tx.em.findOne(AgentRow, { where: { extension: assignee }, select: { id: true } }))) {
      throw invalid([{ path: '/assignee', message: `agent ${JSON.stringify(assignee)} does not exist` }]);
    }
    return this.apply(tx, actor, row, { assignee }, 'ticket.assigned');
  }

  async comment(tx: WriteContext, actor: Actor, id: string, input: CommentInput): Promise<TicketComment> {
    const row = await this.row(id, tx.em);
    const now = this.now();
    const fromCustomer = input.fromCustomer ?? false;
    const c = tx.em.create(TicketCommentRow, {
      ticketId: row.id, author: actor.name, isPublic: fromCustomer || (input.public ?? false), fromCustomer, text: input.text, createdAt: now,
    });
    await tx.em.save(TicketCommentRow, c);
    const after = commentDto(c);
    await this.writeHistory(tx.em, actor, row.id, [{ field: 'comment', before: null, after: { id: c.id, public: c.isPublic, fromCustomer } }], now);
    row.updatedAt = now;
    await tx.em.save(TicketRow, row);
    for (const o of this.observers) await o.commented?.(tx, row, c);
    await recordChange(this.store.events, tx, actor, { type: 'ticket.commented', subjectType: 'ticket', subjectId: String(row.id), after, agentId: row.assignee });
    return after;
  }

  /**
   * Change fields of a row (those given and different), write one history row per changed field and
   * record the change; no-op patches record nothing. Also used by the SLA job (priority escalation).
   */
  async apply(tx: WriteContext, actor: Actor, row: TicketRow, next: Partial<Record<Field, unknown>>, type: string): Promise<Ticket> {
    const before = ticketDto(row);
    const changes: Array<{ field: string; before: unknown; after: unknown }> = [];
    for (const f of FIELDS) {
      const v = next[f];
      if (v === undefined || same(v, before[f])) continue;
      changes.push({ field: f, before: before[f], after: v });
      (row as unknown as Record<string, unknown>)[f] = v;
    }
    if (changes.length === 0) return before;
    const now = this.now();
    row.updatedAt = now;
    await tx.em.save(TicketRow, row);
    await this.writeHistory(tx.em, actor, row.id, changes, now);
    const after = ticketDto(row);
    await recordChange(this.store.events, tx, actor, { type, subjectType: 'ticket', subjectId: String(row.id), before, after, agentId: row.assignee });
    return after;
  }

  private async writeHistory(em: EntityManager, actor: Actor, ticketId: number, changes: Array<{ field: string; before: unknown; after: unknown }>, at: Date): Promise<void> {
    if (changes.length === 0) return;
    await em.save(TicketHistoryRow, changes.map((c) => em.create(TicketHistoryRow, { ticketId, field: c.field, before: c.before, after: c.after, actor: actor.name, at })));
  }

  private async checkRefs(em: EntityManager, input: { customerId?: number | null; group?: string | null; assignee?: string | null }, problems: ErrorDetail[]): Promise<void> {
    const given = <T>(v: T | null | undefined): v is T => v !== undefined && v !== null;
    if (given(input.customerId) && !(await em.findOne(CustomerRow, { where: { id: input.customerId }, select: { id: true } }))) {
      problems.push({ path: '/customerId', message: `customer ${input.customerId} does not exist` });
    }
    if (given(input.group) && !(await em.findOne(QueueRow, { where: { name: input.group }, select: { id: true } }))) {
      problems.push({ path: '/group', message: `queue ${JSON.stringify(input.group)} does not exist` });
    }
    if (given(input.assignee) && !(await em.findOne(AgentRow, { where: { extension: input.assignee }, select: { id: true } }))) {
      problems.push({ path: '/assignee', message: `agent ${JSON.stringify(input.assignee)} does not exist` });
    }
  }

  /** The extension of the caller's own agent, or null. */
  private async ownExtension(em: EntityManager, actor: Actor): Promise<string | null> {
    if (actor.userId === null) return null;
    return (await em.findOne(AgentRow, { where: { userId: actor.userId }, select: { extension: true } }))?.extension ?? null;
  }

  private async mayChange(em: EntityManager, actor: Actor, row: TicketRow): Promise<void> {
    if (row.assignee === null) return;
    if (row.assignee !== (await this.ownExtension(em, actor))) {
      throw new Forbidden(`role ${actor.role} may change only tickets that are unassigned or assigned to its own agent (ticket ${row.id} is assigned to ${row.assignee})`);
    }
  }

  private async mayAssign(em: EntityManager, actor: Actor, assignee: string): Promise<void> {
    if (assignee !== (await this.ownExtension(em, actor))) throw new Forbidden(`role ${actor.role} may assign tickets only to its own agent or to nobody`);
  }
}

/**
 * The one customer with a phone that a call record's `number` can be a form of, or null (none, or
 * several). Phones are found by their last digits (the national forms drop the country code and may
 * add a prefix), then checked exactly; the suffix LIKE cannot use the number index, like the
 * timeline's scan of calls.
 */
async function customerByNumber(em: EntityManager, number: string): Promise<number | null> {
  const digits = number.replace(/^\+/, '');
  if (!/^[0-9]{4,}$/.test(digits)) return null;
  const phones = await em.createQueryBuilder(CustomerPhoneRow, 'p')
    .where(`p.number LIKE :tail ${LIKE_ESCAPE}`, { tail: `%${digits.slice(-6)}` }).getMany();
  const ids = new Set(phones.filter((p) => callNumberForms(p.number).includes(number)).map((p) => p.customerId));
  return ids.size === 1 ? [...ids][0]! : null;
}

function emptyValue(f: Field): unknown {
  return f === 'tags' ? [] : f === 'description' ? '' : null;
}

function invalid(problems: ErrorDetail[]): InvalidInput {
  return new InvalidInput(problems.map((d) => `${d.path}: ${d.message}`).join('; '), problems);
}
