import { AgentSkillRow, DispositionRow, PauseReasonRow, SkillRow } from '../db/entities/index.js';
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

/** Deleting a skill also removes it from every agent (and is refused nowhere: skills are labels). */
export async function dropSkillFromAgents(skill: SkillRow, em: import('typeorm').EntityManager): Promise<void> {
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
