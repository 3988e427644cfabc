import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { AuditRow } from '../db/entities/index.js';
import type { WriteContext } from '../db/writer.js';
import type { EventLog, NewEvent } from './log.js';

/** Who made a change, and from where. */
export interface Actor {
  userId: number | null;
  name: string;
  role: string;
  /** Source address of the request, or `system`. */
  source: string;
}

export const systemActor: Actor = { userId: null, name: 'system', role: 'admin', source: 'system' };

export interface Change {
  /** Event type, also the audit action: `agent.created`, `queue.member_added`, ... */
  type: string;
  subjectType: string;
  subjectId: string;
  /** State before and after, already stripped of secrets. */
  before?: unknown;
  after?: unknown;
  agentId?: string | null;
  queueId?: string | null;
}

/**
 * Record a change in the same transaction that made it: one audit row (who, what, before/after,
 * source) and one event. Callers pass DTOs, never rows, so secrets cannot reach either.
 */
export async function recordChange(events: EventLog, tx: WriteContext, actor: Actor, c: Change): Promise<void> {
  await tx.em.save(AuditRow, tx.em.create(AuditRow, auditValues(actor, c)));
  await events.append(tx, changeEvent(actor, c));
}

/**
 * recordChange for many changes made in one write (an import): the same audit rows and events, in
 * the given order, written with two multi-row INSERTs instead of two statements per change.
 */
export async function recordChanges(events: EventLog, tx: WriteContext, actor: Actor, changes: Change[]): Promise<void> {
  if (changes.length === 0) return;
  await tx.em.insert(AuditRow, changes.map((c) => tx.em.create(AuditRow, auditValues(actor, c))) as Array<QueryDeepPartialEntity<AuditRow>>);
  await events.appendMany(tx, changes.map((c) => changeEvent(actor, c)));
}

function auditValues(actor: Actor, c: Change): Partial<AuditRow> {
  return {
    at: new Date(),
    actorUserId: actor.userId,
    actorName: actor.name,
    source: actor.source.slice(0, 64),
    action: c.type,
    subjectType: c.subjectType,
    subjectId: c.subjectId,
    before: c.before ?? null,
    after: c.after ?? null,
  };
}

function changeEvent(actor: Actor, c: Change): NewEvent {
  return {
    type: c.type,
    subjectType: c.subjectType,
    subjectId: c.subjectId,
    agentId: c.agentId ?? null,
    queueId: c.queueId ?? null,
    payload: { by: actor.name, ...(c.before !== undefined ? { before: c.before } : {}), ...(c.after !== undefined ? { after: c.after } : {}) },
  };
}

/** What every domain service needs: reads, serialized writes, and the event log. */
export interface Store {
  ds: import('typeorm').DataSource;
  writer: import('../db/writer.js').Writer;
  events: EventLog;
}
