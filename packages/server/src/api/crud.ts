import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { WriteContext } from '../db/writer.js';
import type { Actor } from '../events/changes.js';
import type { Permission } from '../security/roles.js';
import { addRoute } from './route.js';
import type { Services } from './services.js';

/** What a keyed collection's service offers: reads, and writes inside a Writer transaction. */
export interface CrudService {
  list(): Promise<unknown[]>;
  get(key: string): Promise<unknown>;
  create(tx: WriteContext, actor: Actor, input: never): Promise<unknown>;
  update(tx: WriteContext, actor: Actor, key: string, patch: never): Promise<unknown>;
  delete(tx: WriteContext, actor: Actor, key: string): Promise<void>;
}

export interface CrudRoutes {
  /** URL segment under /v1: `agents`, `pause-reasons`. */
  path: string;
  /** Name of the key parameter: `extension`, `name`, `code`. */
  key: string;
  /** Singular noun with its article for summaries: `an agent`, `a queue`. */
  noun: string;
  plural: string;
  tag: string;
  service: CrudService;
  dto: TSchema;
  input: TSchema;
  patch: TSchema;
  /** Response of create/update when it differs from `dto` (e.g. with a secret shown once). */
  written?: TSchema;
  read: Permission;
  write: Permission;
  /** What a write route should add to its summary, in parentheses: `running SLA clocks keep their due times`. */
  notes?: { create?: string; update?: string; delete?: string };
}

/** The five routes of a keyed collection: list, show, create (201), update (PATCH), delete (204). */
export function crudRoutes(app: FastifyInstance, s: Services, c: CrudRoutes): void {
  const params = Type.Object({ [c.key]: Type.String() });
  const keyOf = (p: unknown) => (p as Record<string, string>)[c.key]!;
  const tags = [c.tag];
  const one = `/v1/${c.path}/:${c.key}`;
  const note = (k: 'create' | 'update' | 'delete') => (c.notes?.[k] ? ` (${c.notes[k]})` : '');
  addRoute(app, s, {
    method: 'GET', url: `/v1/${c.path}`, access: c.read, summary: `List ${c.plural}`, tags, response: Type.Array(c.dto),
    handler: async () => c.service.list(),
  });
  addRoute(app, s, {
    method: 'GET', url: one, access: c.read, summary: `Show ${c.noun}`, tags, params, response: c.dto,
    handler: async ({ params: p }) => c.service.get(keyOf(p)),
  });
  addRoute(app, s, {
    method: 'POST', url: `/v1/${c.path}`, access: c.write, summary: `Create ${c.noun}${note('create')}`, tags, body: c.input,
    response: c.written ?? c.dto, status: 201,
    handler: async ({ body, write }) => write((tx, actor) => c.service.create(tx, actor, body as never)),
  });
  addRoute(app, s, {
    method: 'PATCH', url: one, access: c.write, summary: `Update ${c.noun}${note('update')}`, tags, params, body: c.patch, response: c.written ?? c.dto,
    handler: async ({ params: p, body, write }) => write((tx, actor) => c.service.update(tx, actor, keyOf(p), body as never)),
  });
  addRoute(app, s, {
    method: 'DELETE', url: one, access: c.write, summary: `Delete ${c.noun}${note('delete')}`, tags, params, status: 204,
    handler: async ({ params: p, write }) => write((tx, actor) => c.service.delete(tx, actor, keyOf(p))),
  });
}
