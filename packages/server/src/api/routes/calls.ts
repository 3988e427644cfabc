import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { Conflict, NotFound } from '../../errors.js';
import { recordChange } from '../../events/changes.js';
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

/**
 * Call records (calls/records.ts): newest first. Click-to-call (calls/originate.ts): 202 with the new call
 * (trying), audited as `call.originate_requested`. Hang-up of a live call (calls/b2bua.ts `hangup`): the
 * call ends hung up by `system` with reason `hangup by <user>`, and the request is audited
 * (`call.hangup_requested`, with the user); 404 for an unknown call, 409 for one that has ended.
 */
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
  addRoute(app, s, {
    method: 'POST', url: '/v1/calls/originate', access: 'calls:write', status: 202,
    summary: 'Click-to-call: ring the agent `from`, and when it answers connect it to `to` (an extension or a number)', tags,
    body: Type.Object({
      from: Type.String({ pattern: '^[0-9]{2,15}$', description: "the agent's extension (its registered devices ring first)" }),
      to: Type.String({ minLength: 1, maxLength: 32, pattern: '^[0-9A-Za-z+*#._-]+$', description: 'an extension, a number routed to an agent, or a number dialled out through a trunk' }),
    }, { additionalProperties: false }),
    response: CallSchema,
    handler: async ({ body, write }) => {
      const call = await s.liveCalls.originate(body.from, body.to);
      await write((tx, actor) => recordChange(s.store.events, tx, actor, {
        type: 'call.originate_requested', subjectType: 'call', subjectId: call.id, agentId: body.from, after: { from: body.from, to: body.to },
      }));
      return call;
    },
  });
  addRoute(app, s, {
    method: 'POST', url: '/v1/calls/:id/hangup', access: 'calls:write', summary: 'Hang up a live call (BYE both sides, or 480 and CANCEL before the answer)', tags,
    params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }), response: CallSchema,
    handler: async ({ params, write }) =>
      write(async (tx, actor) => {
        const ended = s.liveCalls.hangup(params.id, `hangup by ${actor.name}`);
        if (!ended) {
          const record = await s.calls.get(params.id).catch(() => null);
          if (!record) throw new NotFound('call', params.id);
          throw new Conflict(`call ${JSON.stringify(params.id)} is not live (${record.state}${record.endedAt ? ` since ${record.endedAt}` : ' on another node'})`);
        }
        await recordChange(s.store.events, tx, actor, {
          type: 'call.hangup_requested', subjectType: 'call', subjectId: ended.id,
          after: { state: ended.state, hangupBy: ended.hangupBy, status: ended.status, reason: ended.reason },
        });
        return ended;
      }),
  });
}
