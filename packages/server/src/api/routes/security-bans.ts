import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { HotlineError } from '../../errors.js';
import { recordChange } from '../../events/changes.js';
import { addRoute } from '../route.js';
import type { Services } from '../services.js';

export const AddressBanSchema = Type.Object({
  address: Type.String({ description: 'the banned source address (IPv4, or IPv6 without brackets)' }),
  until: Type.String({ description: 'ISO 8601 time at which the ban ends' }),
  failures: Type.Integer({ description: 'digest authentication failures that led to the ban' }),
});

const AddressParam = Type.Object({ address: Type.String({ minLength: 1, maxLength: 64 }) });

/**
 * The SIP auth-failure bans of this node (sip/bans.ts, in memory). A ban is SIP state (its
 * `security.banned` event is not audited); an admin lifting one is an admin change, audited.
 */
export function registerSecurityBanRoutes(app: FastifyInstance, s: Services): void {
  const tags = ['security'];
  addRoute(app, s, {
    method: 'GET', url: '/v1/security/bans', access: 'security:read', summary: 'Source addresses banned for failing SIP authentication', tags,
    response: Type.Array(AddressBanSchema),
    handler: async () => s.bans.list(),
  });
  addRoute(app, s, {
    method: 'DELETE', url: '/v1/security/bans/:address', access: 'security:write', summary: 'Lift the ban on an address (and forget its failures)', tags,
    params: AddressParam, response: AddressBanSchema,
    handler: async ({ params, write }) =>
      write(async (tx, actor) => {
        const ban = s.bans.unban(params.address);
        if (!ban) throw new HotlineError('not_found', `address ${JSON.stringify(params.address)} is not banned`);
        await recordChange(s.store.events, tx, actor, { type: 'security.unbanned', subjectType: 'address', subjectId: ban.address, before: ban });
        return ban;
      }),
  });
}
