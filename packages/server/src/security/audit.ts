import { AuditRow } from '../db/entities/index.js';
import { LIKE_ESCAPE, likePrefix } from '../db/like.js';
import type { Store } from '../events/changes.js';
import type { AuditEntry } from './schemas.js';

export interface AuditQuery {
  after?: number;
  action?: string;
  actor?: string;
  subjectType?: string;
  subjectId?: string;
  limit?: number;
}

/** Reads the audit log (written by events/changes.ts in the same transaction as each change). */
export async function listAudit(store: Store, q: AuditQuery): Promise<AuditEntry[]> {
  const qb = store.ds.getRepository(AuditRow).createQueryBuilder('a').where('a.id > :after', { after: q.after ?? 0 });
  if (q.action) {
    if (q.action.endsWith('.*')) qb.andWhere(`a.action LIKE :action ${LIKE_ESCAPE}`, { action: likePrefix(q.action.slice(0, -1)) });
    else qb.andWhere('a.action = :action', { action: q.action });
  }
  if (q.actor) qb.andWhere('a.actorName = :actor', { actor: q.actor });
  if (q.subjectType) qb.andWhere('a.subjectType = :st', { st: q.subjectType });
  if (q.subjectId) qb.andWhere('a.subjectId = :sid', { sid: q.subjectId });
  const rows = await qb.orderBy('a.id', 'ASC').limit(q.limit ?? 100).getMany();
  return rows.map((r) => ({
    id: Number(r.id),
    at: r.at.toISOString(),
    actor: r.actorName,
    source: r.source,
    action: r.action,
    subjectType: r.subjectType,
    subjectId: r.subjectId,
    before: r.before ?? null,
    after: r.after ?? null,
  }));
}
