import { In, type EntityManager } from 'typeorm';
import { AgentRow, QueueMemberRow, QueueRow, SkillRow } from '../db/entities/index.js';
import type { WriteContext } from '../db/writer.js';
import { Conflict, InvalidInput, NotFound } from '../errors.js';
import { recordChange, type Actor, type Store } from '../events/changes.js';
import {
  defaultQueueSettings, type Member, type MemberInput, type Queue, type QueueInput, type QueuePatch, type QueueSettings,
} from './schemas.js';
import { assertNotTargeted } from '../routing/references.js';

/** Settings with every default filled in, keys in a stable order (so diffs and exports are stable). */
export function normalizeSettings(s: Partial<QueueSettings> | undefined, base: QueueSettings = defaultQueueSettings): QueueSettings {
  const merged = { ...base, ...Object.fromEntries(Object.entries(s ?? {}).filter(([, v]) => v !== undefined)) } as QueueSettings;
  return Object.fromEntries(Object.keys(defaultQueueSettings).map((k) => [k, merged[k as keyof QueueSettings]])) as QueueSettings;
}

/** Queues: strategy, validated settings, and members (agent, penalty, level). */
export class Queues {
  constructor(private readonly store: Store) {}

  private async members(em: EntityManager, queueIds: number[]): Promise<Map<number, Member[]>> {
    const out = new Map<number, Member[]>();
    if (queueIds.length === 0) return out;
    const rows = await em.find(QueueMemberRow, { where: { queueId: In(queueIds) } });
    const agents = rows.length ? await em.find(AgentRow, { where: { id: In([...new Set(rows.map((r) => r.agentId))]) } }) : [];
    const byId = new Map(agents.map((a) => [a.id, a]));
    for (const r of rows) {
      const a = byId.get(r.agentId);
      if (!a) continue;
      const list = out.get(r.queueId) ?? [];
      list.push({ agent: a.extension, name: a.name, penalty: r.penalty, level: r.level });
      out.set(r.queueId, list);
    }
    for (const list of out.values()) list.sort((x, y) => x.agent.localeCompare(y.agent));
    return out;
  }

  private toDto(r: QueueRow, members: Member[]): Queue {
    return {
      id: r.id,
      name: r.name,
      strategy: r.strategy as Queue['strategy'],
      settings: normalizeSettings(r.settings as Partial<QueueSettings>),
      members,
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
    };
  }

  async list(em: EntityManager = this.store.ds.manager): Promise<Queue[]> {
    const rows = await em.find(QueueRow, { order: { name: 'ASC' } });
    const m = await this.members(em, rows.map((r) => r.id));
    return rows.map((r) => this.toDto(r, m.get(r.id) ?? []));
  }

  async row(name: string, em: EntityManager = this.store.ds.manager): Promise<QueueRow> {
    const row = await em.findOne(QueueRow, { where: { name } });
    if (!row) throw new NotFound('queue', name);
    return row;
  }

  async get(name: string, em: EntityManager = this.store.ds.manager): Promise<Queue> {
    const row = await this.row(name, em);
    return this.toDto(row, (await this.members(em, [row.id])).get(row.id) ?? []);
  }

  private async checkSkills(em: EntityManager, s: QueueSettings): Promise<void> {
    const names = Object.keys(s.requiredSkills);
    if (!names.length) return;
    const found = await em.find(SkillRow, { where: { name: In(names) } });
    const missing = names.filter((n) => !found.some((f) => f.name === n));
    if (missing.length) {
      throw new InvalidInput(`unknown skill${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`, missing.map((n) => ({ path: `/settings/requiredSkills/${n}`, message: 'unknown skill' })));
    }
  }

  async create(tx: WriteContext, actor: Actor, input: QueueInput): Promise<Queue> {
    if (await tx.em.findOne(QueueRow, { where: { name: input.name } })) {
      throw new Conflict(`a queue named ${JSON.stringify(input.name)} already exists`, [{ path: '/name', message: 'already in use' }]);
    }
    const settings = normalizeSettings(input.settings);
    await this.checkSkills(tx.em, settings);
    const now = new Date();
    const row = tx.em.create(QueueRow, { name: input.name, strategy: input.strategy ?? 'longest-idle', settings, createdAt: now, updatedAt: now });
    await tx.em.save(QueueRow, row);
    const after = this.toDto(row, []);
    await recordChange(this.store.events, tx, actor, { type: 'queue.created', subjectType: 'queue', subjectId: row.name, queueId: row.name, after });
    return after;
  }

  async update(tx: WriteContext, actor: Actor, name: string, patch: QueuePatch): Promise<Queue> {
    const row = await this.row(name, tx.em);
    const before = await this.get(name, tx.em);
    if (patch.strategy !== undefined) row.strategy = patch.strategy;
    if (patch.settings !== undefined) {
      row.settings = normalizeSettings(patch.settings, before.settings as QueueSettings);
      await this.checkSkills(tx.em, row.settings as QueueSettings);
    }
    row.updatedAt = new Date();
    await tx.em.save(QueueRow, row);
    const after = await this.get(name, tx.em);
    await recordChange(this.store.events, tx, actor, { type: 'queue.updated', subjectType: 'queue', subjectId: name, queueId: name, before, after });
    return after;
  }

  async delete(tx: WriteContext, actor: Actor, name: string): Promise<void> {
    const before = await this.get(name, tx.em);
    await assertNotTargeted(tx.em, 'queue', name);
    await tx.em.delete(QueueMemberRow, { queueId: before.id });
    await tx.em.delete(QueueRow, { id: before.id });
    await recordChange(this.store.events, tx, actor, { type: 'queue.deleted', subjectType: 'queue', subjectId: name, queueId: name, before });
  }

  /** Add an agent to a queue, or change its penalty/level when it is already a member. */
  async addMember(tx: WriteContext, actor: Actor, queue: string, input: MemberInput): Promise<Member> {
    const q = await this.row(queue, tx.em);
    const agent = await tx.em.findOne(AgentRow, { where: { extension: input.agent } });
    if (!agent) throw new InvalidInput(`agent ${input.agent} does not exist`, [{ path: '/agent', message: 'unknown agent' }]);
    const existing = await tx.em.findOne(QueueMemberRow, { where: { queueId: q.id, agentId: agent.id } });
    const before = existing ? { agent: agent.extension, name: agent.name, penalty: existing.penalty, level: existing.level } : undefined;
    const row = { queueId: q.id, agentId: agent.id, penalty: input.penalty ?? existing?.penalty ?? 0, level: input.level ?? existing?.level ?? 1 };
    await tx.em.save(QueueMemberRow, row);
    const after: Member = { agent: agent.extension, name: agent.name, penalty: row.penalty, level: row.level };
    await recordChange(this.store.events, tx, actor, {
      type: existing ? 'queue.member_updated' : 'queue.member_added',
      subjectType: 'queue',
      subjectId: queue,
      queueId: queue,
      agentId: agent.extension,
      before,
      after,
    });
    return after;
  }

  async removeMember(tx: WriteContext, actor: Actor, queue: string, extension: string): Promise<void> {
    const q = await this.row(queue, tx.em);
    const agent = await tx.em.findOne(AgentRow, { where: { extension } });
    const existing = agent && (await tx.em.findOne(QueueMemberRow, { where: { queueId: q.id, agentId: agent.id } }));
    if (!agent || !existing) throw new NotFound(`member of queue ${queue}`, extension);
    await tx.em.delete(QueueMemberRow, { queueId: q.id, agentId: agent.id });
    await recordChange(this.store.events, tx, actor, {
      type: 'queue.member_removed',
      subjectType: 'queue',
      subjectId: queue,
      queueId: queue,
      agentId: extension,
      before: { agent: extension, name: agent.name, penalty: existing.penalty, level: existing.level },
    });
  }
}
