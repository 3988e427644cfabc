import type { FastifyInstance } from 'fastify';
import * as S from '../../routing/schemas.js';
import { crudRoutes } from '../crud.js';
import type { Services } from '../services.js';

export function registerTrunkRoutes(app: FastifyInstance, s: Services): void {
  crudRoutes(app, s, {
    path: 'trunks', key: 'name', noun: 'a trunk', plural: 'trunks', tag: 'trunks',
    // Answers carry this node's runtime status (keepalive, registration); audit rows and events do not.
    service: {
      list: () => s.trunks.listWithStatus(),
      get: (name: string) => s.trunks.getWithStatus(name),
      create: async (tx, actor, input) => s.trunks.withStatus(await s.trunks.create(tx, actor, input)),
      update: async (tx, actor, name, patch) => s.trunks.withStatus(await s.trunks.update(tx, actor, name, patch)),
      delete: (tx, actor, name) => s.trunks.delete(tx, actor, name),
    },
    dto: S.Trunk, input: S.TrunkInput, patch: S.TrunkPatch, read: 'trunks:read', write: 'trunks:write',
  });
}

export function registerNumberRoutes(app: FastifyInstance, s: Services): void {
  crudRoutes(app, s, {
    path: 'numbers', key: 'number', noun: 'a number', plural: 'numbers', tag: 'numbers', service: s.numbers,
    dto: S.DialNumber, input: S.DialNumberInput, patch: S.DialNumberPatch, read: 'numbers:read', write: 'numbers:write',
  });
}
