/** Scheduled callback routes (workflow/callbacks.ts): schedule, list, show, cancel. */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import * as S from '../../workflow/callback-schemas.js';
import { addRoute } from '../route.js';
import type { Services } from '../services.js';

const Id = Type.Object({ id: Type.String({ description: 'callback id' }) });

export function registerCallbackRoutes(app: FastifyInstance, s: Services): void {
  const tags = ['callbacks'];
  const c = s.callbacks;
  addRoute(app, s, {
    method: 'GET', url: '/v1/callbacks', access: 'callbacks:read', summary: 'List callbacks by id, filtered by status, agent, customer', tags,
    querystring: S.CallbackQuery, response: Type.Array(S.Callback),
    handler: async ({ query }) => c.list(query),
  });
  addRoute(app, s, {
    method: 'POST', url: '/v1/callbacks', access: 'callbacks:write', status: 201,
    summary: 'Schedule a callback: at its due time the agent\'s phone rings, then the number (click-to-call), retried until answered', tags,
    body: S.CallbackInput, response: S.Callback,
    handler: async ({ body, write }) => write((tx, actor) => c.create(tx, actor, body)),
  });
  addRoute(app, s, {
    method: 'GET', url: '/v1/callbacks/:id', access: 'callbacks:read', summary: 'Show a callback (status, attempts, last call and error)', tags,
    params: Id, response: S.Callback,
    handler: async ({ params }) => c.get(params.id),
  });
  addRoute(app, s, {
    method: 'POST', url: '/v1/callbacks/:id/cancel', access: 'callbacks:write', summary: 'Cancel a scheduled callback (409 once it is being dialled or finished)', tags,
    params: Id, response: S.Callback,
    handler: async ({ params, write }) => write((tx, actor) => c.cancel(tx, actor, params.id)),
  });
}
