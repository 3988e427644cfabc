import { Type, type Static } from '@sinclair/typebox';
import { Name, Strict } from '../acd/schemas.js';

export const TRANSPORTS = ['udp', 'tcp', 'tls'] as const;
export const TrunkTransport = Type.Union(TRANSPORTS.map((t) => Type.Literal(t)), { description: 'SIP transport towards the carrier' });
export const Cidr = Type.String({ minLength: 2, maxLength: 49, description: 'IPv4 or IPv6 address or network in CIDR notation (10.0.0.0/8, 2001:db8::/32)' });
const Host = Type.String({ minLength: 1, maxLength: 253, description: 'host name or IP address of the carrier' });
const Port = Type.Integer({ minimum: 1, maximum: 65535, description: 'default 5060' });
const SipUser = Type.String({ pattern: '^[A-Za-z0-9._~+=-]{1,64}$', description: 'SIP user name: letters, digits, `. _ ~ + = -`' });
const password = (description: string) => Type.String({ minLength: 8, maxLength: 128, description });
const Description = Type.String({ maxLength: 255 });

export const CallerIdRules = Strict({
  stripPrefix: Type.Optional(Type.String({ pattern: '^\\+?[0-9]{1,20}$', description: 'prefix removed from the caller number' })),
  addPrefix: Type.Optional(Type.String({ pattern: '^\\+?[0-9]{1,20}$', description: 'prefix added after stripping' })),
  defaultCallerId: Type.Optional(Type.String({ pattern: '^\\+?[0-9]{2,20}$', description: 'caller number sent when none is known' })),
}, { description: 'caller number rewriting on this trunk' });

export const TrunkStatus = Strict({
  state: Type.Union([Type.Literal('up'), Type.Literal('down'), Type.Literal('unknown'), Type.Literal('off')], {
    description: 'OPTIONS keepalive: up (answers), down (timeout or 503), unknown (not probed yet), off (keepalive disabled)',
  }),
  lastSeen: Type.Union([Type.String(), Type.Null()], { description: 'when the trunk last answered an OPTIONS' }),
  registration: Type.Union([Type.Literal('off'), Type.Literal('registering'), Type.Literal('registered'), Type.Literal('failed')], {
    description: 'outbound registration',
  }),
  registrationExpires: Type.Union([Type.String(), Type.Null()], { description: 'when the registration runs out (while registered)' }),
}, { description: "this node's runtime view of the trunk (not stored)" });

export const Trunk = Strict({
  id: Type.Integer(),
  name: Name,
  description: Type.String(),
  inboundCidrs: Type.Array(Cidr),
  inboundUsername: Type.Union([SipUser, Type.Null()]),
  hasInboundCredentials: Type.Boolean(),
  host: Type.String(),
  port: Type.Integer(),
  transport: TrunkTransport,
  username: Type.Union([Type.String(), Type.Null()]),
  hasOutboundCredentials: Type.Boolean(),
  register: Type.Boolean(),
  maxCalls: Type.Integer(),
  callerId: Type.Union([CallerIdRules, Type.Null()]),
  enabled: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  /** Runtime state, in list/show answers only (never in audit rows or change events). */
  status: Type.Optional(TrunkStatus),
});

const trunkFields = {
  description: Type.Optional(Description),
  inboundCidrs: Type.Optional(Type.Array(Cidr, { maxItems: 100, description: 'inbound calls are accepted from these networks' })),
  inboundUsername: Type.Optional(Type.Union([SipUser, Type.Null()], { description: 'digest user the carrier authenticates with; null removes digest auth' })),
  inboundPassword: Type.Optional(password('digest password of the carrier; stored only as HA1')),
  host: Type.Optional(Host),
  port: Type.Optional(Port),
  transport: Type.Optional(TrunkTransport),
  username: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 128 }), Type.Null()], { description: 'outbound user name at the carrier; null removes outbound credentials' })),
  password: Type.Optional(password('outbound password at the carrier; stored encrypted, never returned')),
  register: Type.Optional(Type.Boolean({ description: 'register at the carrier (outbound registration)' })),
  maxCalls: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000, description: 'concurrent calls, 0 = unlimited' })),
  callerId: Type.Optional(Type.Union([CallerIdRules, Type.Null()])),
  enabled: Type.Optional(Type.Boolean()),
};
export const TrunkInput = Strict({ name: Name, ...trunkFields, host: Host });
export const TrunkPatch = Strict(trunkFields);

export const PhoneNumber = Type.String({ pattern: '^\\+?[0-9]{2,20}$', description: 'E.164-like: optional +, 2-20 digits' });
export const NumberTarget = Type.String({
  pattern: '^(agent:[0-9]{2,15}|queue:[a-z0-9][a-z0-9._-]{0,63}|flow:[a-z0-9][a-z0-9._-]{0,63})$',
  description: '`agent:<extension>`, `queue:<name>` or `flow:<name>` (flows are not checked yet)',
});
export const DialNumber = Strict({
  id: Type.Integer(),
  number: PhoneNumber,
  description: Type.String(),
  target: NumberTarget,
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export const DialNumberInput = Strict({ number: PhoneNumber, description: Type.Optional(Description), target: NumberTarget });
export const DialNumberPatch = Strict({ description: Type.Optional(Description), target: Type.Optional(NumberTarget) });

export type TrunkTransport = Static<typeof TrunkTransport>;
export type CallerIdRules = Static<typeof CallerIdRules>;
export type Trunk = Static<typeof Trunk>;
export type TrunkStatus = Static<typeof TrunkStatus>;
export type TrunkInput = Static<typeof TrunkInput>;
export type TrunkPatch = Static<typeof TrunkPatch>;
export type DialNumber = Static<typeof DialNumber>;
export type DialNumberInput = Static<typeof DialNumberInput>;
export type DialNumberPatch = Static<typeof DialNumberPatch>;
