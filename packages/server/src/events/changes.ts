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
  await tx.em.save(AuditRow, tx.em.create(AuditRow, {
    at: new Date(),
    actorUserId: actor.userId,
    actorName: actor.name,
    source: actor.source.slice(0, 64),
    action: c.type,
    subjectType: c.subjectType,
    subjectId: c.subjectId,
    before: c.before ?? null,
    after: c.after ?? null,
  }));
  const e: NewEvent = {
    type: c.type,
    subjectType: c.subjectType,
    subjectId: c.subjectId,
    agentId: c.agentId ?? null,
    queueId: c.queueId ?? null,
    payload: { by: actor.name, ...(c.before !== undefined ? { before: c.before } : {}), ...(c.after !== undefined ? { after: c.after } : {}) },
  };
  await events.append(tx, e);
}

/** What every domain service needs: reads, serialized writes, and the event log. */
export interface Store {
  ds: import('typeorm').DataSource;
  writer: import('../db/writer.js').Writer;
  events: EventLog;
}
