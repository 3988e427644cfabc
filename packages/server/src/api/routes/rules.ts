/** Workflow rule routes (workflow/): CRUD, enable/disable, and the dry run `POST /v1/rules/:id/test`. */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import * as S from '../../workflow/schemas.js';
import { addRoute } from '../route.js';
import type { Services } from '../services.js';

const Id = Type.Object({ id: Type.String({ description: 'rule id or name' }) });

export function registerRuleRoutes(app: FastifyInstance, s: Services): void {
  const tags = ['rules'];
  const r = s.rules;
  addRoute(app, s, {
    method: 'GET', url: '/v1/rules', access: 'rules:read', summary: 'List workflow rules', tags, response: Type.Array(S.Rule),
    handler: async () => r.list(),
  });
  addRoute(app, s, {
    method: 'POST', url: '/v1/rules', access: 'rules:write', summary: 'Create a workflow rule (a webhook rule\'s signing key is shown once)', tags,
    body: S.RuleInput, response: S.Rule, status: 201,
    handler: async ({ body, write }) => write((tx, actor) => r.create(tx, actor, body)),
  });
  addRoute(app, s, {
    method: 'GET', url: '/v1/rules/:id', access: 'rules:read', summary: 'Show a workflow rule', tags, params: Id, response: S.Rule,
    handler: async ({ params }) => r.get(params.id),
  });
  addRoute(app, s, {
    method: 'PATCH', url: '/v1/rules/:id', access: 'rules:write', summary: 'Change, enable or disable a workflow rule', tags,
    params: Id, body: S.RulePatch, response: S.Rule,
    handler: async ({ params, body, write }) => write((tx, actor) => r.update(tx, actor, params.id, body)),
  });
  addRoute(app, s, {
    method: 'DELETE', url: '/v1/rules/:id', access: 'rules:write', summary: 'Delete a workflow rule', tags, params: Id, status: 204,
    handler: async ({ params, write }) => write((tx, actor) => r.delete(tx, actor, params.id)),
  });
  addRoute(app, s, {
    method: 'POST', url: '/v1/rules/:id/test', access: 'rules:test', summary: 'Dry-run a rule against an event: the conditions and the rendered actions; changes nothing', tags,
    params: Id, body: S.TestEvent, response: S.TestResult,
    handler: async ({ params, body }) => r.test(params.id, body),
  });
}
