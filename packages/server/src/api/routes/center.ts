import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { applyCenter, exportCenter, planCenter } from '../../center/apply.js';
import { CenterFile, Plan, PlanRequest } from '../../center/schema.js';
import { addRoute } from '../route.js';
import type { Services } from '../services.js';

export function registerCenterRoutes(app: FastifyInstance, s: Services): void {
  const tags = ['center'];
  addRoute(app, s, {
    method: 'GET', url: '/v1/center', access: 'center:read', summary: 'Export the center as a center file', tags, response: CenterFile,
    handler: async () => exportCenter(s, s.store.ds.manager),
  });
  addRoute(app, s, {
    method: 'POST', url: '/v1/center/plan', access: 'center:read', summary: 'What applying a center file would change', tags,
    body: PlanRequest, response: Plan,
    handler: async ({ body }) => planCenter(s, s.store.ds.manager, body.center, body.prune ?? false),
  });
  addRoute(app, s, {
    method: 'POST', url: '/v1/center/apply', access: 'center:write', summary: 'Apply a center file atomically', tags,
    body: PlanRequest, response: Plan,
    handler: async ({ body, actor }) => applyCenter(s, s.store, actor, body.center, body.prune ?? false),
  });
  addRoute(app, s, {
    method: 'GET', url: '/v1/center/schema', access: 'public', summary: 'JSON schema of the center file', tags,
    response: Type.Unknown(),
    handler: async () => CenterFile,
  });
}
