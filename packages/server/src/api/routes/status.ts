import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { redactUrl } from '../../config/load.js';
import { addRoute } from '../route.js';
import type { Services } from '../services.js';

const ListenerSchema = Type.Union([Type.Object({ host: Type.String(), port: Type.Integer() }), Type.Null()]);
export const Status = Type.Object({
  version: Type.String(),
  node: Type.String(),
  startedAt: Type.String(),
  uptimeSeconds: Type.Number(),
  dataDir: Type.String(),
  db: Type.Object({ dialect: Type.String(), url: Type.String() }),
  listeners: Type.Record(Type.String(), ListenerSchema),
  events: Type.Object({ cursor: Type.Integer() }),
});

export function registerStatusRoutes(app: FastifyInstance, s: Services): void {
  addRoute(app, s, {
    method: 'GET', url: '/v1/health', access: 'public', summary: 'Liveness and readiness', tags: ['server'],
    response: Type.Object({ status: Type.Literal('ok') }),
    handler: async () => ({ status: 'ok' as const }),
  });
  addRoute(app, s, {
    method: 'GET', url: '/v1/status', access: 'status:read', summary: 'Version, listeners, database and event cursor', tags: ['server'],
    response: Status,
    handler: async () => ({
      version: s.version,
      node: process.version,
      startedAt: s.startedAt.toISOString(),
      uptimeSeconds: Math.round((Date.now() - s.startedAt.getTime()) / 1000),
      dataDir: s.config.dataDir,
      db: { dialect: s.config.db.dialect, url: redactUrl(s.config.db.url) },
      listeners: s.listeners(),
      events: { cursor: await s.store.events.lastCursor() },
    }),
  });
}
