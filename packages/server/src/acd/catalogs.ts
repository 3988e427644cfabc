import type { EntityManager } from 'typeorm';
import { AgentSkillRow, DispositionRow, PauseReasonRow, QueueRow, SkillRow } from '../db/entities/index.js';
import { Conflict } from '../errors.js';
import type { Store } from '../events/changes.js';
import { Catalog } from './catalog.js';
import type {
  Disposition, DispositionInput, DispositionPatch, PauseReason, PauseReasonInput, PauseReasonPatch, Skill, SkillInput, SkillPatch,
} from './schemas.js';

export type Skills = Catalog<SkillRow, Skill, SkillInput, SkillPatch>;
export type PauseReasons = Catalog<PauseReasonRow, PauseReason, PauseReasonInput, PauseReasonPatch>;
export type Dispositions = Catalog<DispositionRow, Disposition, DispositionInput, DispositionPatch>;

export function skillsCatalog(store: Store): Skills {
  return new Catalog(store, {
    entity: SkillRow,
    kind: 'skill',
    label: 'skill',
    key: 'name',
    toDto: (r) => ({ id: r.id, name: r.name, description: r.description ?? '' }),
  });
}

/**
 * Before a skill is deleted: refuse while a queue requires it (the queue's routing would silently
 * change, and an export would name a skill that does not exist); otherwise remove it from every agent
 * (on agents, skills are labels).
 */
export async function beforeSkillDelete(skill: SkillRow, em: EntityManager): Promise<void> {
  const queues = (await em.find(QueueRow, { order: { name: 'ASC' } }))
    .filter((q) => Object.hasOwn((q.settings as { requiredSkills?: object }).requiredSkills ?? {}, skill.name))
    .map((q) => q.name);
  if (queues.length) {
    throw new Conflict(`skill ${skill.name} is required by queue${queues.length > 1 ? 's' : ''} ${queues.join(', ')}`, [
      { path: '', message: 'required by a queue' },
    ]);
  }
  await em.delete(AgentSkillRow, { skillId: skill.id });
}

export function pauseReasonsCatalog(store: Store): PauseReasons {
  return new Catalog(store, {
    entity: PauseReasonRow,
    kind: 'pause_reason',
    label: 'pause reason',
    key: 'code',
    toDto: (r) => ({ id: r.id, code: r.code, label: r.label, paid: Boolean(r.paid), maxMinutes: r.maxMinutes ?? null }),
  });
}

export function dispositionsCatalog(store: Store): Dispositions {
  return new Catalog(store, {
    entity: DispositionRow,
    kind: 'disposition',
    label: 'disposition',
    key: 'code',
    toDto: (r) => ({ id: r.id, code: r.code, label: r.label, requiresNote: Boolean(r.requiresNote) }),
  });
}
