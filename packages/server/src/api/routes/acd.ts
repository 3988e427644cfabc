import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import * as S from '../../acd/schemas.js';
import { crudRoutes } from '../crud.js';
import { addRoute } from '../route.js';
import type { Services } from '../services.js';

const QueueParam = Type.Object({ name: Type.String() });

export function registerAgentRoutes(app: FastifyInstance, s: Services): void {
  crudRoutes(app, s, {
    path: 'agents', key: 'extension', noun: 'an agent', plural: 'agents', tag: 'agents', service: s.agents,
    dto: S.Agent, input: S.AgentInput, patch: S.AgentPatch, written: S.AgentWithSecret, read: 'agents:read', write: 'agents:write',
  });
}

export function registerQueueRoutes(app: FastifyInstance, s: Services): void {
  const tags = ['queues'];
  crudRoutes(app, s, {
    path: 'queues', key: 'name', noun: 'a queue', plural: 'queues', tag: 'queues', service: s.queues,
    dto: S.Queue, input: S.QueueInput, patch: S.QueuePatch, read: 'queues:read', write: 'queues:write',
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
