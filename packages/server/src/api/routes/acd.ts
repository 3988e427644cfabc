import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import * as S from '../../acd/schemas.js';
import { addRoute } from '../route.js';
import type { Services } from '../services.js';

const ExtParam = Type.Object({ extension: Type.String() });
const QueueParam = Type.Object({ name: Type.String() });

export function registerAgentRoutes(app: FastifyInstance, s: Services): void {
  const tags = ['agents'];
  addRoute(app, s, {
    method: 'GET', url: '/v1/agents', access: 'agents:read', summary: 'List agents', tags, response: Type.Array(S.Agent),
    handler: async () => s.agents.list(),
  });
  addRoute(app, s, {
    method: 'GET', url: '/v1/agents/:extension', access: 'agents:read', summary: 'Show an agent', tags, params: ExtParam, response: S.Agent,
    handler: async ({ params }) => s.agents.get(params.extension),
  });
  addRoute(app, s, {
    method: 'POST', url: '/v1/agents', access: 'agents:write', summary: 'Create an agent', tags, body: S.AgentInput,
    response: S.AgentWithSecret, status: 201,
    handler: async ({ body, write }) => write((tx, actor) => s.agents.create(tx, actor, body)),
  });
  addRoute(app, s, {
    method: 'PATCH', url: '/v1/agents/:extension', access: 'agents:write', summary: 'Update an agent', tags, params: ExtParam,
    body: S.AgentPatch, response: S.AgentWithSecret,
    handler: async ({ params, body, write }) => write((tx, actor) => s.agents.update(tx, actor, params.extension, body)),
  });
  addRoute(app, s, {
    method: 'DELETE', url: '/v1/agents/:extension', access: 'agents:write', summary: 'Delete an agent', tags, params: ExtParam, status: 204,
    handler: async ({ params, write }) => write((tx, actor) => s.agents.delete(tx, actor, params.extension)),
  });
}

export function registerQueueRoutes(app: FastifyInstance, s: Services): void {
  const tags = ['queues'];
  addRoute(app, s, {
    method: 'GET', url: '/v1/queues', access: 'queues:read', summary: 'List queues', tags, response: Type.Array(S.Queue),
    handler: async () => s.queues.list(),
  });
  addRoute(app, s, {
    method: 'GET', url: '/v1/queues/:name', access: 'queues:read', summary: 'Show a queue', tags, params: QueueParam, response: S.Queue,
    handler: async ({ params }) => s.queues.get(params.name),
  });
  addRoute(app, s, {
    method: 'POST', url: '/v1/queues', access: 'queues:write', summary: 'Create a queue', tags, body: S.QueueInput, response: S.Queue, status: 201,
    handler: async ({ body, write }) => write((tx, actor) => s.queues.create(tx, actor, body)),
  });
  addRoute(app, s, {
    method: 'PATCH', url: '/v1/queues/:name', access: 'queues:write', summary: 'Update a queue', tags, params: QueueParam,
    body: S.QueuePatch, response: S.Queue,
    handler: async ({ params, body, write }) => write((tx, actor) => s.queues.update(tx, actor, params.name, body)),
  });
  addRoute(app, s, {
    method: 'DELETE', url: '/v1/queues/:name', access: 'queues:write', summary: 'Delete a queue', tags, params: QueueParam, status: 204,
    handler: async ({ params, write }) => write((tx, actor) => s.queues.delete(tx, actor, params.name)),
  });
  addRoute(app, s, {
    method: 'GET', url: '/v1/queues/:name/members', access: 'queues:read', summary: 'List the members of a queue', tags,
    params: QueueParam, response: Type.Array(S.Member),
    handler: async ({ params }) => (await s.queues.get(params.name)).members,
  });
  addRoute(app, s, {
    method: 'POST', url: '/v1/queues/:name/members', access: 'members:write', summary: 'Add an agent to a queue (or change its penalty/level)',
    tags, params: QueueParam, body: S.MemberInput, response: S.Member,
    handler: async ({ params, body, write }) => write((tx, actor) => s.queues.addMember(tx, actor, params.name, body)),
  });
  addRoute(app, s, {
    method: 'DELETE', url: '/v1/queues/:name/members/:extension', access: 'members:write', summary: 'Remove an agent from a queue',
    tags, params: Type.Object({ name: Type.String(), extension: Type.String() }), status: 204,
    handler: async ({ params, write }) => write((tx, actor) => s.queues.removeMember(tx, actor, params.name, params.extension)),
  });
}
