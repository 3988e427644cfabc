import type { FastifyInstance } from 'fastify';
import { beforeSkillDelete } from '../../acd/catalogs.js';
import * as S from '../../acd/schemas.js';
import { crudRoutes, type CrudService } from '../crud.js';
import type { Services } from '../services.js';

export function registerCatalogRoutes(app: FastifyInstance, s: Services): void {
  // Deleting a skill that a queue still requires is refused (beforeSkillDelete).
  const skills: CrudService = {
    list: () => s.skills.list(),
    get: (key) => s.skills.get(key),
    create: (tx, actor, input) => s.skills.create(tx, actor, input),
    update: (tx, actor, key, patch) => s.skills.update(tx, actor, key, patch),
    delete: (tx, actor, key) => s.skills.delete(tx, actor, key, (row) => beforeSkillDelete(row, tx.em)),
  };
  crudRoutes(app, s, {
    path: 'skills', key: 'name', noun: 'a skill', plural: 'skills', tag: 'skills', service: skills,
    dto: S.Skill, input: S.SkillInput, patch: S.SkillPatch, read: 'skills:read', write: 'skills:write',
  });
  crudRoutes(app, s, {
    path: 'pause-reasons', key: 'code', noun: 'a pause reason', plural: 'pause reasons', tag: 'pause reasons', service: s.pauseReasons,
    dto: S.PauseReason, input: S.PauseReasonInput, patch: S.PauseReasonPatch, read: 'catalog:read', write: 'catalog:write',
  });
  crudRoutes(app, s, {
    path: 'dispositions', key: 'code', noun: 'a disposition', plural: 'dispositions', tag: 'dispositions', service: s.dispositions,
    dto: S.Disposition, input: S.DispositionInput, patch: S.DispositionPatch, read: 'catalog:read', write: 'catalog:write',
  });
}
