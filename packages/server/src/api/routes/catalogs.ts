import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Catalog } from '../../acd/catalog.js';
import { beforeSkillDelete } from '../../acd/catalogs.js';
import * as S from '../../acd/schemas.js';
import type { Permission } from '../../security/roles.js';
import { addRoute } from '../route.js';
import type { Services } from '../services.js';

interface CatalogRoutes {
  path: string;
  tag: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  catalog: Catalog<any, any, any, any>;
  dto: TSchema;
  input: TSchema;
  patch: TSchema;
  read: Permission;
  write: Permission;
  beforeDelete?: (row: never, em: import('typeorm').EntityManager) => Promise<void>;
}

function catalogRoutes(app: FastifyInstance, services: Services, c: CatalogRoutes): void {
  const key = c.catalog.spec.key;
  const label = c.catalog.spec.label;
  const params = Type.Object({ [key]: Type.String() });
  const keyOf = (p: unknown) => (p as Record<string, string>)[key]!;
  addRoute(app, services, {
    method: 'GET', url: `/v1/${c.path}`, access: c.read, summary: `List ${label}s`, tags: [c.tag],
    response: Type.Array(c.dto),
    handler: async () => c.catalog.list(),
  });
  addRoute(app, services, {
    method: 'GET', url: `/v1/${c.path}/:${key}`, access: c.read, summary: `Show a ${label}`, tags: [c.tag], params,
    response: c.dto,
    handler: async ({ params: p }) => c.catalog.get(keyOf(p)),
  });
  addRoute(app, services, {
    method: 'POST', url: `/v1/${c.path}`, access: c.write, summary: `Create a ${label}`, tags: [c.tag], body: c.input,
    response: c.dto, status: 201,
    handler: async ({ body, write }) => write((tx, actor) => c.catalog.create(tx, actor, body as object)),
  });
  addRoute(app, services, {
    method: 'PATCH', url: `/v1/${c.path}/:${key}`, access: c.write, summary: `Update a ${label}`, tags: [c.tag], params, body: c.patch,
    response: c.dto,
    handler: async ({ params: p, body, write }) => write((tx, actor) => c.catalog.update(tx, actor, keyOf(p), body as object)),
  });
  addRoute(app, services, {
    method: 'DELETE', url: `/v1/${c.path}/:${key}`, access: c.write, summary: `Delete a ${label}`, tags: [c.tag], params, status: 204,
    handler: async ({ params: p, write }) =>
      write((tx, actor) => c.catalog.delete(tx, actor, keyOf(p), c.beforeDelete ? (row) => c.beforeDelete!(row as never, tx.em) : undefined)),
  });
}

export function registerCatalogRoutes(app: FastifyInstance, s: Services): void {
  catalogRoutes(app, s, {
    path: 'skills', tag: 'skills', catalog: s.skills, dto: S.Skill, input: S.SkillInput, patch: S.SkillPatch,
    read: 'skills:read', write: 'skills:write', beforeDelete: beforeSkillDelete,
  });
  catalogRoutes(app, s, {
    path: 'pause-reasons', tag: 'pause reasons', catalog: s.pauseReasons, dto: S.PauseReason, input: S.PauseReasonInput,
    patch: S.PauseReasonPatch, read: 'catalog:read', write: 'catalog:write',
  });
  catalogRoutes(app, s, {
    path: 'dispositions', tag: 'dispositions', catalog: s.dispositions, dto: S.Disposition, input: S.DispositionInput,
    patch: S.DispositionPatch, read: 'catalog:read', write: 'catalog:write',
  });
}
