/** API shapes of workflow rules (TypeBox): rules, their conditions and actions, dry-run results. */
import { Type, type Static } from '@sinclair/typebox';
import { Name, Strict } from '../acd/schemas.js';
import { OPS } from './conditions.js';

export const ACTION_TYPES = ['create_ticket', 'update_ticket', 'assign_ticket', 'add_customer_note', 'schedule_callback', 'webhook'] as const;
export type ActionType = (typeof ACTION_TYPES)[number];
export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const TICKET_STATUSES = ['new', 'open', 'pending', 'resolved', 'closed'] as const;

const lit = (xs: readonly string[], description?: string) => Type.Union(xs.map((x) => Type.Literal(x)), description ? { description } : {});
const Template = (description: string, maxLength = 10000) => Type.String({ minLength: 1, maxLength, description: `${description}; \`{{path}}\` placeholders take values from the event` });

export const Condition = Strict({
  field: Type.String({ minLength: 1, maxLength: 200, description: 'dotted path (`payload.after.priority`) or JSON pointer (`/payload/after/priority`) into the event' }),
  op: lit(OPS),
  value: Type.Optional(Type.Unknown({ description: 'compared value; a list for `in`, a regular expression for `matches`, a boolean (default true) for `exists`' })),
});

export const Action = Strict({
  type: lit(ACTION_TYPES),
  subject: Type.Optional(Template('create_ticket: subject', 200)),
  description: Type.Optional(Template('create_ticket: description')),
  priority: Type.Optional(lit(TICKET_PRIORITIES, 'create_ticket, update_ticket: priority')),
  tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 40 }), { maxItems: 50, description: 'create_ticket, update_ticket: tags' })),
  status: Type.Optional(lit(TICKET_STATUSES, 'update_ticket: new status')),
  ticketId: Type.Optional(Template('update_ticket, assign_ticket: the ticket (default: the subject of a ticket event)', 200)),
  customerId: Type.Optional(Template('create_ticket, add_customer_note: the customer (default for notes: the subject of a customer event)', 200)),
  assignee: Type.Optional(Type.Union([Template('assign_ticket: extension of the agent', 32), Type.Null()])),
  text: Type.Optional(Template('add_customer_note: the note')),
  inMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 527040, description: 'schedule_callback: due this many minutes after the event (the number and customer come from the event)' })),
  agent: Type.Optional(Template('schedule_callback: extension of the agent (default: the customer\'s preferred agent)', 32)),
  note: Type.Optional(Template('schedule_callback: note', 1000)),
  url: Type.Optional(Type.String({ minLength: 1, maxLength: 2000, description: 'webhook: http(s) URL that receives the event as JSON (POST)' })),
  attempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 10, description: 'webhook: attempts before giving up (default 5)' })),
});

export const RuleInput = Strict({
  name: Name,
  enabled: Type.Optional(Type.Boolean()),
  trigger: Type.String({ minLength: 1, maxLength: 200, description: 'an event type or pattern (`call.ended`, `ticket.*`, `*`) or a cron schedule (`*/5 * * * *`, UTC)' }),
  conditions: Type.Optional(Type.Array(Condition, { maxItems: 50 })),
  actions: Type.Array(Action, { minItems: 1, maxItems: 20 }),
  secret: Type.Optional(Type.String({ minLength: 16, maxLength: 200, description: 'HMAC-SHA256 key of webhook signatures; generated (and shown once) when a webhook rule has none' })),
});

export const RulePatch = Strict({
  enabled: Type.Optional(Type.Boolean()),
  trigger: Type.Optional(RuleInput.properties.trigger),
  conditions: Type.Optional(RuleInput.properties.conditions),
  actions: Type.Optional(RuleInput.properties.actions),
  secret: Type.Optional(RuleInput.properties.secret),
});

export const Rule = Strict({
  id: Type.Integer(),
  name: Type.String(),
  enabled: Type.Boolean(),
  trigger: Type.String(),
  triggerKind: lit(['event', 'cron']),
  conditions: Type.Array(Condition),
  actions: Type.Array(Action),
  hasSecret: Type.Boolean(),
  /** Only in the answer that set or generated it. */
  secret: Type.Optional(Type.String({ description: 'the webhook signing key; shown only once' })),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const TestEvent = Type.Object({
  type: Type.String({ minLength: 1 }),
  subjectType: Type.Optional(Type.String()),
  subjectId: Type.Optional(Type.String()),
  payload: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
}, { additionalProperties: true });

export const TestResult = Strict({
  rule: Type.String(),
  triggerMatches: Type.Boolean(),
  conditions: Type.Array(Strict({ field: Type.String(), op: Type.String(), actual: Type.Unknown(), holds: Type.Boolean() })),
  wouldRun: Type.Boolean(),
  actions: Type.Array(Strict({ type: Type.String(), params: Type.Record(Type.String(), Type.Unknown()) })),
});

export type ConditionT = Static<typeof Condition>;
export type Action = Static<typeof Action>;
export type RuleInput = Static<typeof RuleInput>;
export type RulePatch = Static<typeof RulePatch>;
export type Rule = Static<typeof Rule>;
export type TestEvent = Static<typeof TestEvent>;
export type TestResult = Static<typeof TestResult>;
