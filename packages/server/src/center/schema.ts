import { Type, type Static } from '@sinclair/typebox';
import {
  DispositionInput, Extension, Label, Name, PauseReasonInput, QueueSettings, SkillInput, SkillMap, Strategy, Strict,
} from '../acd/schemas.js';
import { CallerIdRules, Cidr, NumberTarget, PhoneNumber, TrunkInput, TrunkTransport } from '../routing/schemas.js';
import { CustomFieldInput } from '../crm/schemas.js';
import { CategoryInput, CategoryRules } from '../kb/schemas.js';
import { Role } from '../security/schemas.js';
import { CalendarInput, SlaPolicyInput } from '../tickets/schemas.js';
import { RuleInput } from '../workflow/schemas.js';

/**
 * The center file (`hotline apply -f center.yaml`): the whole configuration of a contact center as
 * code. Sections are optional; an omitted section is not managed. Within an object, an omitted
 * optional field keeps the server's value (defaults on create), except `settings` (a queue's settings
 * are complete: omitted keys take defaults) and the lists `skills` and `members` (when present they
 * are the whole list). `hotline export` writes every field, so its output applies back unchanged.
 * Configuration only: customers, tickets and KB articles are data and never part of the file.
 */
export const CenterUser = Strict({
  name: Name,
  role: Role,
  displayName: Type.Optional(Type.String({ maxLength: 128 })),
  disabled: Type.Optional(Type.Boolean()),
});
export const CenterAgent = Strict({
  extension: Extension,
  name: Label,
  user: Type.Optional(Type.Union([Name, Type.Null()])),
  skills: Type.Optional(SkillMap),
  maxChats: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
  password: Type.Optional(Type.String({ minLength: 8, maxLength: 128, description: 'SIP password; compared by digest, never exported' })),
});
export const CenterMember = Strict({
  agent: Extension,
  penalty: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
  level: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })),
});
export const CenterQueue = Strict({
  name: Name,
  strategy: Type.Optional(Strategy),
  settings: Type.Optional(QueueSettings),
  members: Type.Optional(Type.Array(CenterMember)),
});
const trunkField = <K extends keyof typeof TrunkInput.properties>(k: K) => TrunkInput.properties[k];
export const CenterTrunk = Strict({
  name: Name,
  description: Type.Optional(Type.String({ maxLength: 255 })),
  inboundCidrs: Type.Optional(Type.Array(Cidr, { maxItems: 100 })),
  inboundUsername: trunkField('inboundUsername'),
  inboundPassword: Type.Optional(Type.String({ minLength: 8, maxLength: 128, description: 'inbound digest password; compared by digest, never exported' })),
  host: trunkField('host'),
  port: trunkField('port'),
  transport: Type.Optional(TrunkTransport),
  username: trunkField('username'),
  password: Type.Optional(Type.String({ minLength: 8, maxLength: 128, description: 'outbound password; stored encrypted, compared after decrypting, never exported' })),
  register: Type.Optional(Type.Boolean()),
  maxCalls: trunkField('maxCalls'),
  callerId: Type.Optional(Type.Union([CallerIdRules, Type.Null()])),
  enabled: Type.Optional(Type.Boolean()),
});
export const CenterNumber = Strict({
  number: PhoneNumber,
  description: Type.Optional(Type.String({ maxLength: 255 })),
  target: NumberTarget,
});

export const CenterRule = Strict({
  ...RuleInput.properties,
  secret: Type.Optional(Type.String({ minLength: 16, maxLength: 200, description: 'webhook signing key; stored encrypted, compared after decrypting, never exported' })),
});

export const CenterKbCategory = Strict({
  path: CategoryInput.properties.path,
  rules: Type.Optional(CategoryRules.properties.rules),
});

export const CenterFile = Strict(
  {
    apiVersion: Type.Literal('hotline/v1'),
    kind: Type.Literal('Center'),
    users: Type.Optional(Type.Array(CenterUser)),
    skills: Type.Optional(Type.Array(SkillInput)),
    pauseReasons: Type.Optional(Type.Array(PauseReasonInput)),
    dispositions: Type.Optional(Type.Array(DispositionInput)),
    agents: Type.Optional(Type.Array(CenterAgent)),
    queues: Type.Optional(Type.Array(CenterQueue)),
    trunks: Type.Optional(Type.Array(CenterTrunk)),
    numbers: Type.Optional(Type.Array(CenterNumber)),
    customerFields: Type.Optional(Type.Array(CustomFieldInput, { description: 'custom field definitions of customers (never the customers themselves)' })),
    calendars: Type.Optional(Type.Array(CalendarInput, { description: 'business calendars (weekly hours in a time zone, minus holidays)' })),
    slaPolicies: Type.Optional(Type.Array(SlaPolicyInput, { description: 'SLA policies of tickets; each counts on a calendar' })),
    kbCategories: Type.Optional(Type.Array(CenterKbCategory, { description: 'knowledge-base categories (a parent before its children) and their read/edit rules; never articles' })),
    rules: Type.Optional(Type.Array(CenterRule, { description: 'workflow rules (trigger, conditions, actions)' })),
  },
  { $id: 'https://hotline.invalid/schemas/center.json', description: 'Hotline center file (hotline plan/apply/export)' },
);

export const FieldChange = Type.Object({ field: Type.String(), from: Type.Unknown(), to: Type.Unknown() });
export const PlannedChange = Type.Object({
  action: Type.Union([Type.Literal('create'), Type.Literal('update'), Type.Literal('delete')]),
  kind: Type.String(),
  key: Type.String(),
  fields: Type.Array(FieldChange),
});
export const Plan = Type.Object({
  changes: Type.Array(PlannedChange),
  summary: Type.Object({ create: Type.Integer(), update: Type.Integer(), delete: Type.Integer() }),
  /** Objects on the server that the file does not mention (deleted only with prune). */
  unmanaged: Type.Array(Type.Object({ kind: Type.String(), key: Type.String() })),
});
export const PlanRequest = Strict({ center: Type.Unknown(), prune: Type.Optional(Type.Boolean()) });

export type CenterFile = Static<typeof CenterFile>;
export type CenterUser = Static<typeof CenterUser>;
export type CenterAgent = Static<typeof CenterAgent>;
export type CenterQueue = Static<typeof CenterQueue>;
export type CenterTrunk = Static<typeof CenterTrunk>;
export type CenterNumber = Static<typeof CenterNumber>;
export type FieldChange = Static<typeof FieldChange>;
export type PlannedChange = Static<typeof PlannedChange>;
export type Plan = Static<typeof Plan>;
