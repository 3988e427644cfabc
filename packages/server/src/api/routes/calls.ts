import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { addRoute } from '../route.js';
import type { Services } from '../services.js';

const Time = Type.Union([Type.String(), Type.Null()]);

export const CallSchema = Type.Object({
  id: Type.String(),
  from: Type.String({ description: 'caller extension (inbound: the trunk caller number)' }),
  to: Type.String({ description: 'called extension (inbound, outbound: the dialled number)' }),
  direction: Type.Union([Type.Literal('internal'), Type.Literal('inbound'), Type.Literal('outbound')]),
  trunk: Type.Union([Type.String(), Type.Null()], { description: 'trunk of an inbound or outbound call' }),
  state: Type.Union([Type.Literal('trying'), Type.Literal('ringing'), Type.Literal('answered'), Type.Literal('ended')]),
  startedAt: Type.String(),
  ringingAt: Time,
  answeredAt: Time,
  endedAt: Time,
  hangupBy: Type.Union([Type.Literal('caller'), Type.Literal('callee'), Type.Literal('system'), Type.Null()]),
  status: Type.Union([Type.Integer(), Type.Null()], { description: 'SIP status that ended the call' }),
  reason: Type.Union([Type.String(), Type.Null()]),
  legs: Type.Array(Type.Object({
    id: Type.String(),
    contact: Type.String(),
    transport: Type.String(),
    state: Type.String(),
    status: Type.Union([Type.Integer(), Type.Null()]),
  })),
});

/** Call records (calls/records.ts): newest first. */
export function registerCallRoutes(app: FastifyInstance, s: Services): void {
  const tags = ['calls'];
  addRoute(app, s, {
    method: 'GET', url: '/v1/calls', access: 'agents:read', summary: 'Call records, newest first', tags,
    querystring: Type.Object({
      active: Type.Optional(Type.Boolean({ description: 'only calls not ended' })),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    }, { additionalProperties: false }),
    response: Type.Array(CallSchema),
    handler: async ({ query }) => s.calls.list({ ...(query.active !== undefined ? { active: query.active } : {}), ...(query.limit !== undefined ? { limit: query.limit } : {}) }),
  });
  addRoute(app, s, {
    method: 'GET', url: '/v1/calls/:id', access: 'agents:read', summary: 'Show a call record', tags,
    params: Type.Object({ id: Type.String() }), response: CallSchema,
    handler: async ({ params }) => s.calls.get(params.id),
  });
}
