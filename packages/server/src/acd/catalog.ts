import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { WriteContext } from '../db/writer.js';
import { Conflict, NotFound } from '../errors.js';
import { recordChange, type Actor, type Store } from '../events/changes.js';

export interface CatalogSpec<Row extends ObjectLiteral, Dto> {
  entity: EntityTarget<Row>;
  /** Singular noun for messages and events: `skill`, `pause_reason`. */
  kind: string;
  /** Human noun: `skill`, `pause reason`. */
  label: string;
  /** The unique key column (`name` or `code`). */
  key: keyof Row & string;
  toDto(row: Row): Dto;
}

/**
 * A named catalog of simple rows (skills, pause reasons, dispositions): list, get, create, update and
 * delete by key, each change audited and emitted as `<kind>.created|updated|deleted`.
 */
export class Catalog<Row extends ObjectLiteral, Dto, Input extends object, Patch extends object> {
  constructor(
    private readonly store: Store,
    readonly spec: CatalogSpec<Row, Dto>,
  ) {}

  async list(em: EntityManager = this.store.ds.manager): Promise<Dto[]> {
    const rows = await em.find(this.spec.entity, { order: { [this.spec.key]: 'ASC' } as never });
    return rows.map((r) => this.spec.toDto(r));
  }

  async row(key: string, em: EntityManager = this.store.ds.manager): Promise<Row> {
    const row = await em.findOne(this.spec.entity, { where: { [this.spec.key]: key } as never });
    if (!row) throw new NotFound(this.spec.label, key);
    return row;
  }

  async get(key: string): Promise<Dto> {
    return this.spec.toDto(await this.row(key));
  }

  async create(tx: WriteContext, actor: Actor, input: Input): Promise<Dto> {
    const key = (input as Record<string, string>)[this.spec.key]!;
    if (await tx.em.findOne(this.spec.entity, { where: { [this.spec.key]: key } as never })) {
      throw new Conflict(`${this.spec.label} ${JSON.stringify(key)} already exists`, [{ path: `/${this.spec.key}`, message: 'already exists' }]);
    }
    const row = tx.em.create(this.spec.entity, input as never);
    await tx.em.save(this.spec.entity, row);
    const dto = this.spec.toDto(row);
    await recordChange(this.store.events, tx, actor, { type: `${this.spec.kind}.created`, subjectType: this.spec.kind, subjectId: key, after: dto });
    return dto;
  }

  async update(tx: WriteContext, actor: Actor, key: string, patch: Patch): Promise<Dto> {
    const row = await this.row(key, tx.em);
    const before = this.spec.toDto(row);
    Object.assign(row, Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)));
    await tx.em.save(this.spec.entity, row);
    const after = this.spec.toDto(row);
    await recordChange(this.store.events, tx, actor, { type: `${this.spec.kind}.updated`, subjectType: this.spec.kind, subjectId: key, before, after });
    return after;
  }

  async delete(tx: WriteContext, actor: Actor, key: string, beforeDelete?: (row: Row) => Promise<void>): Promise<void> {
    const row = await this.row(key, tx.em);
    await beforeDelete?.(row);
    await tx.em.delete(this.spec.entity, { [this.spec.key]: key } as never);
    await recordChange(this.store.events, tx, actor, { type: `${this.spec.kind}.deleted`, subjectType: this.spec.kind, subjectId: key, before: this.spec.toDto(row) });
  }
}
