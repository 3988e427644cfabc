import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import * as S from '../../routing/schemas.js';
import { addRoute } from '../route.js';
import type { Services } from '../services.js';

const TrunkParam = Type.Object({ name: Type.String() });
const NumberParam = Type.Object({ number: Type.String() });

export function registerTrunkRoutes(app: FastifyInstance, s: Services): void {
  const tags = ['trunks'];
  addRoute(app, s, {
    method: 'GET', url: '/v1/trunks', access: 'trunks:read', summary: 'List trunks', tags, response: Type.Array(S.Trunk),
    handler: async () => s.trunks.list(),
  });
  addRoute(app, s, {
    method: 'GET', url: '/v1/trunks/:name', access: 'trunks:read', summary: 'Show a trunk', tags, params: TrunkParam, response: S.Trunk,
    handler: async ({ params }) => s.trunks.get(params.name),
  });
  addRoute(app, s, {
    method: 'POST', url: '/v1/trunks', access: 'trunks:write', summary: 'Create a trunk', tags, body: S.TrunkInput, response: S.Trunk, status: 201,
    handler: async ({ body, write }) => write((tx, actor) => s.trunks.create(tx, actor, body)),
  });
  addRoute(app, s, {
    method: 'PATCH', url: '/v1/trunks/:name', access: 'trunks:write', summary: 'Update a trunk', tags, params: TrunkParam,
    body: S.TrunkPatch, response: S.Trunk,
    handler: async ({ params, body, write }) => write((tx, actor) => s.trunks.update(tx, actor, params.name, body)),
  });
  addRoute(app, s, {
    method: 'DELETE', url: '/v1/trunks/:name', access: 'trunks:write', summary: 'Delete a trunk', tags, params: TrunkParam, status: 204,
    handler: async ({ params, write }) => write((tx, actor) => s.trunks.delete(tx, actor, params.name)),
  });
}

export function registerNumberRoutes(app: FastifyInstance, s: Services): void {
  const tags = ['numbers'];
  addRoute(app, s, {
    method: 'GET', url: '/v1/numbers', access: 'numbers:read', summary: 'List numbers', tags, response: Type.Array(S.DialNumber),
    handler: async () => s.numbers.list(),
  });
  addRoute(app, s, {
    method: 'GET', url: '/v1/numbers/:number', access: 'numbers:read', summary: 'Show a number', tags, params: NumberParam, response: S.DialNumber,
    handler: async ({ params }) => s.numbers.get(params.number),
  });
  addRoute(app, s, {
    method: 'POST', url: '/v1/numbers', access: 'numbers:write', summary: 'Create a number and its target', tags, body: S.DialNumberInput,
    response: S.DialNumber, status: 201,
    handler: async ({ body, write }) => write((tx, actor) => s.numbers.create(tx, actor, body)),
  });
  addRoute(app, s, {
    method: 'PATCH', url: '/v1/numbers/:number', access: 'numbers:write', summary: 'Update a number', tags, params: NumberParam,
    body: S.DialNumberPatch, response: S.DialNumber,
    handler: async ({ params, body, write }) => write((tx, actor) => s.numbers.update(tx, actor, params.number, body)),
  });
  addRoute(app, s, {
    method: 'DELETE', url: '/v1/numbers/:number', access: 'numbers:write', summary: 'Delete a number', tags, params: NumberParam, status: 204,
    handler: async ({ params, write }) => write((tx, actor) => s.numbers.delete(tx, actor, params.number)),
  });
}
