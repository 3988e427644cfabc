import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { addRoute } from '../route.js';
import type { Services } from '../services.js';

export const RegistrationSchema = Type.Object({
  extension: Type.String(),
  contact: Type.String(),
  transport: Type.String(),
  source: Type.String({ description: 'address:port the device registered from' }),
  userAgent: Type.Union([Type.String(), Type.Null()]),
  expiresAt: Type.String(),
  registeredAt: Type.String(),
});

/** The SIP registrar's current bindings (this node's memory; see sip/bindings.ts). */
export function registerRegistrationRoutes(app: FastifyInstance, s: Services): void {
  addRoute(app, s, {
    method: 'GET', url: '/v1/registrations', access: 'agents:read', summary: 'Registered SIP devices (contacts) of the agents', tags: ['agents'],
    response: Type.Array(RegistrationSchema),
    handler: async () => s.registrations.list(),
  });
}
