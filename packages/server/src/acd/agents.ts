import { In, type EntityManager } from 'typeorm';
import { AgentRow, AgentSkillRow, QueueMemberRow, SkillRow, UserRow } from '../db/entities/index.js';
import type { WriteContext } from '../db/writer.js';
import { Conflict, InvalidInput, NotFound } from '../errors.js';
import { recordChange, type Actor, type Store } from '../events/changes.js';
import { generatePassword, sipHa1s } from '../crypto/digest.js';
import { assertNotTargeted } from '../routing/references.js';
import type { Agent, AgentInput, AgentPatch, AgentWithSecret } from './schemas.js';

interface Lookups {
  skillNames: Map<number, string>;
  userNames: Map<number, string>;
  skillsByAgent: Map<number, Record<string, number>>;
}

function toDto(r: AgentRow, l: Lookups): Agent {
  return {
    id: r.id,
    extension: r.extension,
    name: r.name,
    user: r.userId === null ? null : (l.userNames.get(r.userId) ?? null),
    skills: l.skillsByAgent.get(r.id) ?? {},
    maxChats: r.maxChats,
    hasSipCredentials: r.sipHa1Md5 !== null,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

/** Agents: extension, name, linked user, skills with proficiency, SIP digest credentials (HA1 only). */
export class Agents {
  constructor(
    private readonly store: Store,
    private readonly realm: string,
  ) {}

  private async lookups(em: EntityManager, agentIds?: number[]): Promise<Lookups> {
    const [skills, users, links] = await Promise.all([
      em.find(SkillRow),
      em.find(UserRow, { select: { id: true, name: true } }),
      em.find(AgentSkillRow, agentIds ? { where: { agentId: In(agentIds) } } : {}),
    ]);
    const skillNames = new Map(skills.map((s) => [s.id, s.name]));
    const skillsByAgent = new Map<number, Record<string, number>>();
    for (const l of links.sort((a, b) => (skillNames.get(a.skillId) ?? '').localeCompare(skillNames.get(b.skillId) ?? ''))) {
      const m = skillsByAgent.get(l.agentId) ?? {};
      m[skillNames.get(l.skillId) ?? String(l.skillId)] = l.proficiency;
      skillsByAgent.set(l.agentId, m);
    }
    return { skillNames, userNames: new Map(users.map((u) => [u.id, u.name])), skillsByAgent };
  }

  async list(em: EntityManager = this.store.ds.manager): Promise<Agent[]> {
    const rows = await em.find(AgentRow, { order: { extension: 'ASC' } });
    const l = await this.lookups(em);
    return rows.map((r) => toDto(r, l));
  }

  async row(extension: string, em: EntityManager = this.store.ds.manager): Promise<AgentRow> {
    const row = await em.findOne(AgentRow, { where: { extension } });
    if (!row) throw new NotFound('agent', extension);
    return row;
  }

  async get(extension: string, em: EntityManager = this.store.ds.manager): Promise<Agent> {
    const row = await this.row(extension, em);
    return toDto(row, await this.lookups(em, [row.id]));
  }

  /** Whether `password` is the agent's current SIP password (used by apply to stay idempotent). */
  async passwordMatches(extension: string, password: string, em: EntityManager): Promise<boolean> {
    const row = await this.row(extension, em);
    return row.sipHa1Sha256 === sipHa1s(extension, this.realm, password).sipHa1Sha256;
  }

  private async resolveUser(em: EntityManager, name: string | null | undefined): Promise<number | null | undefined> {
    if (name === undefined || name === null) return name;
    const u = await em.findOne(UserRow, { where: { name } });
    if (!u) throw new InvalidInput(`user ${JSON.stringify(name)} does not exist`, [{ path: '/user', message: 'unknown user' }]);
    return u.id;
  }

  private async setSkills(em: EntityManager, agentId: number, skills: Record<string, number>): Promise<void> {
    const names = Object.keys(skills);
    const rows = names.length ? await em.find(SkillRow, { where: { name: In(names) } }) : [];
    const missing = names.filter((n) => !rows.some((r) => r.name === n));
    if (missing.length) {
      throw new InvalidInput(`unknown skill${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`, missing.map((n) => ({ path: `/skills/${n}`, message: 'unknown skill' })));
    }
    await em.delete(AgentSkillRow, { agentId });
    if (rows.length) await em.insert(AgentSkillRow, rows.map((s) => ({ agentId, skillId: s.id, proficiency: skills[s.name]! })));
  }

  private credentials(extension: string, input: AgentPatch): { secret?: string; ha1?: ReturnType<typeof sipHa1s> } {
    if (input.password !== undefined && input.generatePassword) {
      throw new InvalidInput('give either password or generatePassword, not both', [{ path: '/generatePassword', message: 'conflicts with password' }]);
    }
    const secret = input.generatePassword ? generatePassword() : input.password;
    return secret === undefined ? {} : { secret: input.generatePassword ? secret : undefined, ha1: sipHa1s(extension, this.realm, secret) };
  }

  async create(tx: WriteContext, actor: Actor, input: AgentInput): Promise<AgentWithSecret> {
    if (await tx.em.findOne(AgentRow, { where: { extension: input.extension } })) {
      throw new Conflict(`an agent with extension ${input.extension} already exists`, [{ path: '/extension', message: 'already in use' }]);
    }
    const cred = this.credentials(input.extension, input);
    const now = new Date();
    const row = tx.em.create(AgentRow, {
      extension: input.extension,
      name: input.name,
      userId: (await this.resolveUser(tx.em, input.user)) ?? null,
      sipHa1Md5: cred.ha1?.sipHa1Md5 ?? null,
      sipHa1Sha256: cred.ha1?.sipHa1Sha256 ?? null,
      maxChats: input.maxChats ?? 1,
      createdAt: now,
      updatedAt: now,
    });
    await tx.em.save(AgentRow, row);
    if (input.skills) await this.setSkills(tx.em, row.id, input.skills);
    const after = await this.get(input.extension, tx.em);
    await recordChange(this.store.events, tx, actor, { type: 'agent.created', subjectType: 'agent', subjectId: row.extension, agentId: row.extension, after });
    return cred.secret ? { ...after, sipPassword: cred.secret } : after;
  }

  async update(tx: WriteContext, actor: Actor, extension: string, patch: AgentPatch): Promise<AgentWithSecret> {
    const row = await this.row(extension, tx.em);
    const before = await this.get(extension, tx.em);
    const cred = this.credentials(extension, patch);
    if (patch.name !== undefined) row.name = patch.name;
    if (patch.maxChats !== undefined) row.maxChats = patch.maxChats;
    const userId = await this.resolveUser(tx.em, patch.user);
    if (userId !== undefined) row.userId = userId;
    if (cred.ha1) Object.assign(row, cred.ha1);
    row.updatedAt = new Date();
    await tx.em.save(AgentRow, row);
    if (patch.skills) await this.setSkills(tx.em, row.id, patch.skills);
    const after = await this.get(extension, tx.em);
    await recordChange(this.store.events, tx, actor, {
      type: 'agent.updated',
      subjectType: 'agent',
      subjectId: extension,
      agentId: extension,
      before,
      // The password itself never reaches the audit log; that it changed does.
      after: cred.ha1 ? { ...after, sipCredentialsChanged: true } : after,
    });
    return cred.secret ? { ...after, sipPassword: cred.secret } : after;
  }

  async delete(tx: WriteContext, actor: Actor, extension: string): Promise<void> {
    const before = await this.get(extension, tx.em);
    await assertNotTargeted(tx.em, 'agent', extension);
    await tx.em.delete(AgentSkillRow, { agentId: before.id });
    await tx.em.delete(QueueMemberRow, { agentId: before.id });
    await tx.em.delete(AgentRow, { id: before.id });
    await recordChange(this.store.events, tx, actor, { type: 'agent.deleted', subjectType: 'agent', subjectId: extension, agentId: extension, before });
  }
}
