import type { EntityManager } from 'typeorm';
import { AgentRow, NumberRow, QueueRow } from '../db/entities/index.js';
import type { WriteContext } from '../db/writer.js';
import { Conflict, InvalidInput, NotFound } from '../errors.js';
import { recordChange, type Actor, type Store } from '../events/changes.js';
import type { DialNumber, DialNumberInput, DialNumberPatch } from './schemas.js';

function toDto(r: NumberRow): DialNumber {
  return {
    id: r.id,
    number: r.number,
    description: r.description ?? '',
    target: `${r.targetType}:${r.targetKey}`,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

/** `agent:1001` -> ['agent', '1001'] (the schema has checked the form). */
function splitTarget(target: string): [string, string] {
  const i = target.indexOf(':');
  return [target.slice(0, i), target.slice(i + 1)];
}

/**
 * Numbers (DIDs) and where calls to them go: an agent, a queue, or a flow. Agent and queue targets
 * must exist (and then cannot be deleted while targeted: references.ts); flows are accepted as names
 * until the flow engine exists, and will be checked then.
 */
export class Numbers {
  constructor(private readonly store: Store) {}

  async list(em: EntityManager = this.store.ds.manager): Promise<DialNumber[]> {
    return (await em.find(NumberRow, { order: { number: 'ASC' } })).map(toDto);
  }

  async row(number: string, em: EntityManager = this.store.ds.manager): Promise<NumberRow> {
    const row = await em.findOne(NumberRow, { where: { number } });
    if (!row) throw new NotFound('number', number);
    return row;
  }

  async get(number: string, em: EntityManager = this.store.ds.manager): Promise<DialNumber> {
    return toDto(await this.row(number, em));
  }

  private async checkTarget(em: EntityManager, target: string): Promise<[string, string]> {
    const [type, key] = splitTarget(target);
    const exists =
      type === 'agent' ? await em.exists(AgentRow, { where: { extension: key } }) : type === 'queue' ? await em.exists(QueueRow, { where: { name: key } }) : true;
    if (!exists) throw new InvalidInput(`${type} ${JSON.stringify(key)} does not exist`, [{ path: '/target', message: `unknown ${type}` }]);
    return [type, key];
  }

  async create(tx: WriteContext, actor: Actor, input: DialNumberInput): Promise<DialNumber> {
    if (await tx.em.findOne(NumberRow, { where: { number: input.number } })) {
      throw new Conflict(`number ${input.number} already exists`, [{ path: '/number', message: 'already in use' }]);
    }
    const [targetType, targetKey] = await this.checkTarget(tx.em, input.target);
    const now = new Date();
    const row = tx.em.create(NumberRow, { number: input.number, description: input.description ?? '', targetType, targetKey, createdAt: now, updatedAt: now });
    await tx.em.save(NumberRow, row);
    const after = toDto(row);
    await recordChange(this.store.events, tx, actor, { type: 'number.created', subjectType: 'number', subjectId: row.number, after });
    return after;
  }

  async update(tx: WriteContext, actor: Actor, number: string, patch: DialNumberPatch): Promise<DialNumber> {
    const row = await this.row(number, tx.em);
    const before = toDto(row);
    if (patch.description !== undefined) row.description = patch.description;
    if (patch.target !== undefined) [row.targetType, row.targetKey] = await this.checkTarget(tx.em, patch.target);
    row.updatedAt = new Date();
    await tx.em.save(NumberRow, row);
    const after = toDto(row);
    await recordChange(this.store.events, tx, actor, { type: 'number.updated', subjectType: 'number', subjectId: number, before, after });
    return after;
  }

  async delete(tx: WriteContext, actor: Actor, number: string): Promise<void> {
    const row = await this.row(number, tx.em);
    await tx.em.delete(NumberRow, { id: row.id });
    await recordChange(this.store.events, tx, actor, { type: 'number.deleted', subjectType: 'number', subjectId: number, before: toDto(row) });
  }
}
