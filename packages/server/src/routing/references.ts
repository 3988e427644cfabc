import type { EntityManager } from 'typeorm';
import { NumberRow } from '../db/entities/index.js';
import { Conflict } from '../errors.js';

/**
 * Refuse to delete an agent or queue while a number routes to it: the number would silently lead
 * nowhere. acd/ calls this from its delete paths (same layer; this module imports only db/ and errors,
 * so there is no cycle with routing/numbers.ts, which reads agents and queues through their rows).
 */
export async function assertNotTargeted(em: EntityManager, targetType: 'agent' | 'queue', targetKey: string): Promise<void> {
  const rows = await em.find(NumberRow, { where: { targetType, targetKey }, order: { number: 'ASC' } });
  if (!rows.length) return;
  const list = rows.map((r) => r.number).join(', ');
  throw new Conflict(`${targetType} ${targetKey} is the target of number${rows.length > 1 ? 's' : ''} ${list}; change or delete ${rows.length > 1 ? 'them' : 'it'} first`,
    rows.map((r) => ({ path: `/numbers/${r.number}`, message: `routes to ${targetType}:${targetKey}` })));
}
