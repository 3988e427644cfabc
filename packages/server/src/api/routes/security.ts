import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { Agent } from '../../acd/schemas.js';
import { Forbidden } from '../../errors.js';
import { listAudit } from '../../security/audit.js';
import { can } from '../../security/roles.js';
import * as S from '../../security/schemas.js';
import { userDto } from '../../security/users.js';
import { crudRoutes } from '../crud.js';
import { addRoute } from '../route.js';
import type { Services } from '../services.js';

const Cursor = Type.Integer({ minimum: 0 });
const Limit = Type.Integer({ minimum: 1, maximum: 1000, default: 100 });

export function registerSecurityRoutes(app: FastifyInstance, s: Services): void {
  addRoute(app, s, {
    method: 'GET', url: '/v1/me', access: 'authenticated', summary: 'Who the token belongs to', tags: ['users'],
    response: Type.Object({ user: S.User, token: Type.String(), agent: Type.Union([Agent, Type.Null()]) }),
    handler: async ({ principal }) => {
      const agent = (await s.agents.list()).find((a) => a.user === principal.user.name) ?? null;
      return { user: userDto(principal.user), token: principal.tokenId, agent };
    },
  });

  crudRoutes(app, s, {
    path: 'users', key: 'name', noun: 'a user', plural: 'users', tag: 'users', service: s.users,
    dto: S.User, input: S.UserInput, patch: S.UserPatch, read: 'users:read', write: 'users:write',
  });

  // Tokens: everyone manages their own; admins (tokens:all) manage everyone's.
  addRoute(app, s, {
    method: 'GET', url: '/v1/tokens', access: 'authenticated', summary: 'List tokens (own, or all for admins)', tags: ['tokens'],
    querystring: Type.Object({ user: Type.Optional(Type.String()) }, { additionalProperties: false }),
    response: Type.Array(S.Token),
    handler: async ({ query, principal }) => {
      const self = principal.user.name;
      if (query.user !== undefined && query.user !== self && !can(principal.user.role, 'tokens:all')) {
        throw new Forbidden('only admins list other users\' tokens');
      }
      return s.tokens.list(s.store.ds.manager, can(principal.user.role, 'tokens:all') ? query.user : self);
    },
  });
  addRoute(app, s, {
    method: 'POST', url: '/v1/tokens', access: 'authenticated', summary: 'Create a token (shown once)', tags: ['tokens'],
    body: S.TokenInput, response: S.NewToken, status: 201,
    handler: async ({ body, principal, write }) =>
      write((tx, actor) => s.tokens.create(tx, actor, body, can(principal.user.role, 'tokens:all'))),
  });
  addRoute(app, s, {
    method: 'DELETE', url: '/v1/tokens/:id', access: 'authenticated', summary: 'Revoke a token', tags: ['tokens'],
    params: Type.Object({ id: Type.String() }), response: S.Token,
    handler: async ({ params, principal, write }) =>
      write((tx, actor) => s.tokens.revoke(tx, actor, params.id, can(principal.user.role, 'tokens:all'))),
  });

  addRoute(app, s, {
    method: 'GET', url: '/v1/audit', access: 'audit:read', summary: 'Page through the audit log', tags: ['audit'],
    querystring: Type.Object(
      {
        after: Type.Optional(Cursor),
        limit: Type.Optional(Limit),
        action: Type.Optional(Type.String({ description: 'exact action or prefix like `agent.*`' })),
        actor: Type.Optional(Type.String()),
        subjectType: Type.Optional(Type.String()),
        subjectId: Type.Optional(Type.String()),
      },
      { additionalProperties: false },
    ),
    response: Type.Array(S.AuditEntry),
    handler: async ({ query }) => listAudit(s.store, query),
  });
}
