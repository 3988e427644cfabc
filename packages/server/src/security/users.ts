import type { EntityManager } from 'typeorm';
import { AgentRow, RoleRow, TokenRow, UserRow } from '../db/entities/index.js';
import type { WriteContext } from '../db/writer.js';
import { Conflict, NotFound } from '../errors.js';
import { recordChange, type Actor, type Store } from '../events/changes.js';
import { roleDescriptions } from './roles.js';
import { ROLES, type Role, type User, type UserInput, type UserPatch } from './schemas.js';

export function userDto(r: UserRow): User {
  return {
    id: r.id,
    name: r.name,
    displayName: r.displayName,
    role: r.role as Role,
    disabled: Boolean(r.disabled),
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

export class Users {
  constructor(private readonly store: Store) {}

  async list(em: EntityManager = this.store.ds.manager): Promise<User[]> {
    return (await em.find(UserRow, { order: { name: 'ASC' } })).map(userDto);
  }

  async row(name: string, em: EntityManager = this.store.ds.manager): Promise<UserRow> {
    const row = await em.findOne(UserRow, { where: { name } });
    if (!row) throw new NotFound('user', name);
    return row;
  }

  async get(name: string): Promise<User> {
    return userDto(await this.row(name));
  }

  async count(): Promise<number> {
    return this.store.ds.manager.count(UserRow);
  }

  /** Make sure the four roles exist (idempotent; run at every start). */
  async seedRoles(em: EntityManager): Promise<void> {
    for (const name of ROLES) {
      if (!(await em.findOne(RoleRow, { where: { name } }))) await em.insert(RoleRow, { name, description: roleDescriptions[name] });
    }
  }

  async create(tx: WriteContext, actor: Actor, input: UserInput): Promise<User> {
    if (await tx.em.findOne(UserRow, { where: { name: input.name } })) {
      throw new Conflict(`a user named ${JSON.stringify(input.name)} already exists`, [{ path: '/name', message: 'already in use' }]);
    }
    const now = new Date();
    const row = tx.em.create(UserRow, { name: input.name, displayName: input.displayName ?? input.name, role: input.role, disabled: false, createdAt: now, updatedAt: now });
    await tx.em.save(UserRow, row);
    const after = userDto(row);
    await recordChange(this.store.events, tx, actor, { type: 'user.created', subjectType: 'user', subjectId: row.name, after });
    return after;
  }

  /** Refuse a change that would leave no enabled admin (nobody could administer the center). */
  private async keepAnAdmin(em: EntityManager, row: UserRow, next: { role: string; disabled: boolean } | null): Promise<void> {
    const wasActiveAdmin = row.role === 'admin' && !row.disabled;
    const staysActiveAdmin = next !== null && next.role === 'admin' && !next.disabled;
    if (!wasActiveAdmin || staysActiveAdmin) return;
    const admins = await em.find(UserRow, { where: { role: 'admin' } });
    if (admins.filter((a) => !a.disabled && a.id !== row.id).length === 0) {
      throw new Conflict(`user ${row.name} is the last enabled admin`, [{ path: '', message: 'last admin' }]);
    }
  }

  async update(tx: WriteContext, actor: Actor, name: string, patch: UserPatch): Promise<User> {
    const row = await this.row(name, tx.em);
    const before = userDto(row);
    await this.keepAnAdmin(tx.em, row, { role: patch.role ?? row.role, disabled: patch.disabled ?? row.disabled });
    if (patch.role !== undefined) row.role = patch.role;
    if (patch.displayName !== undefined) row.displayName = patch.displayName;
    if (patch.disabled !== undefined) row.disabled = patch.disabled;
    row.updatedAt = new Date();
    await tx.em.save(UserRow, row);
    const after = userDto(row);
    await recordChange(this.store.events, tx, actor, { type: 'user.updated', subjectType: 'user', subjectId: name, before, after });
    return after;
  }

  async delete(tx: WriteContext, actor: Actor, name: string): Promise<void> {
    const row = await this.row(name, tx.em);
    await this.keepAnAdmin(tx.em, row, null);
    await tx.em.update(AgentRow, { userId: row.id }, { userId: null });
    await tx.em.delete(TokenRow, { userId: row.id });
    await tx.em.delete(UserRow, { id: row.id });
    await recordChange(this.store.events, tx, actor, { type: 'user.deleted', subjectType: 'user', subjectId: name, before: userDto(row) });
  }
}
