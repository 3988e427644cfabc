import { EventEmitter } from 'node:events';
import type { DataSource, SelectQueryBuilder } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { EventRow } from '../db/entities/index.js';
import { LIKE_ESCAPE, likePrefix } from '../db/like.js';
import type { WriteContext } from '../db/writer.js';

export interface HotlineEvent {
  cursor: number;
  type: string;
  at: string;
  subjectType: string;
  subjectId: string;
  agentId: string | null;
  queueId: string | null;
  callId: string | null;
  payload: Record<string, unknown>;
}

export interface NewEvent {
  type: string;
  subjectType: string;
  subjectId: string;
  agentId?: string | null;
  queueId?: string | null;
  callId?: string | null;
  payload: Record<string, unknown>;
}

export interface EventQuery {
  after?: number;
  /** Exact types (`agent.created`) or prefixes (`agent.*`). */
  types?: string[];
  limit?: number;
}

export function toEvent(r: EventRow): HotlineEvent {
  return {
    cursor: Number(r.id), // BIGINT may come back as a string (mysql2); cursors fit in 2^53
    type: r.type,
    at: r.at.toISOString(),
    subjectType: r.subjectType,
    subjectId: r.subjectId,
    agentId: r.agentId,
    queueId: r.queueId,
    callId: r.callId,
    payload: r.payload,
  };
}

/** True when `type` matches one of the patterns (exact, `prefix.*` or `*`). */
export function matchesTypes(type: string, patterns: string[] | undefined): boolean {
  if (!patterns || patterns.length === 0) return true;
  return patterns.some((p) => p === '*' || p === type || (p.endsWith('.*') && type.startsWith(p.slice(0, -1))));
}

function whereTypes(qb: SelectQueryBuilder<EventRow>, patterns: string[] | undefined): void {
  if (!patterns || patterns.length === 0 || patterns.includes('*')) return;
  const clauses: string[] = [];
  const params: Record<string, string> = {};
  patterns.forEach((p, i) => {
    if (p.endsWith('.*')) {
      clauses.push(`e.type LIKE :t${i} ${LIKE_ESCAPE}`);
      params[`t${i}`] = likePrefix(p.slice(0, -1));
    } else {
      clauses.push(`e.type = :t${i}`);
      params[`t${i}`] = p;
    }
  });
  qb.andWhere(`(${clauses.join(' OR ')})`, params);
}

/**
 * The append-only event log: the source of truth for CTI, wallboards and reports. Appends happen
 * inside a Writer transaction; subscribers hear an event only after its transaction committed, in
 * cursor order.
 */
export class EventLog {
  private readonly bus = new EventEmitter();

  constructor(private readonly ds: DataSource) {
    this.bus.setMaxListeners(0);
  }

  async append(tx: WriteContext, e: NewEvent): Promise<HotlineEvent> {
    return (await this.appendMany(tx, [e]))[0]!;
  }

  /** Append several events in one multi-row INSERT (their cursors in the given order). */
  async appendMany(tx: WriteContext, es: NewEvent[]): Promise<HotlineEvent[]> {
    const at = new Date();
    const rows = es.map((e) => tx.em.create(EventRow, {
      type: e.type,
      at,
      subjectType: e.subjectType,
      subjectId: e.subjectId,
      agentId: e.agentId ?? null,
      queueId: e.queueId ?? null,
      callId: e.callId ?? null,
      payload: e.payload,
    }));
    // insert(), not save(): an event is always new, and save()'s change detection was a large part of
    // the CPU time of a SIP call (four events each; scripts/bench/sip-load.mjs). insert() sets row.id.
    await tx.em.insert(EventRow, rows as Array<QueryDeepPartialEntity<EventRow>>);
    const events = rows.map(toEvent);
    tx.afterCommit(() => {
      for (const event of events) this.bus.emit('event', event);
    });
    return events;
  }

  async page(q: EventQuery): Promise<HotlineEvent[]> {
    const qb = this.ds.getRepository(EventRow).createQueryBuilder('e').where('e.id > :after', { after: q.after ?? 0 });
    whereTypes(qb, q.types);
    const rows = await qb.orderBy('e.id', 'ASC').limit(q.limit ?? 100).getMany();
    return rows.map(toEvent);
  }

  async lastCursor(): Promise<number> {
    const r = await this.ds.getRepository(EventRow).createQueryBuilder('e').select('MAX(e.id)', 'max').getRawOne<{ max: string | number | null }>();
    return Number(r?.max ?? 0);
  }

  /** Live events from now on, in cursor order. Returns the unsubscribe function. */
  subscribe(fn: (e: HotlineEvent) => void): () => void {
    this.bus.on('event', fn);
    return () => this.bus.off('event', fn);
  }
}
