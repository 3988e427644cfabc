/** TypeBox schemas of the CRM: API validation, responses, OpenAPI and the client's types come from here. */
import { Type, type Static } from '@sinclair/typebox';
import { Extension, Strict } from '../acd/schemas.js';

export const VIP_LEVELS = { min: 0, max: 5 } as const;
export const FIELD_TYPES = ['string', 'number', 'boolean', 'date', 'enum'] as const;

export const FieldName = Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$', description: 'lower-case letter, then letters, digits, `_`; at most 40' });
export const Tag = Type.String({ pattern: '^[^\\s,;]{1,40}$', description: '1-40 characters, no spaces, commas or semicolons' });
const PhoneText = Type.String({ minLength: 1, maxLength: 64, description: 'any common format; normalized to E.164 in the default region (setting crm.defaultRegion)' });
const PhoneLabel = Type.String({ minLength: 1, maxLength: 32, description: 'free text: mobile, work, home, ...' });
const Custom = Type.Record(FieldName, Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]), {
  description: 'values of the custom fields (see /v1/customer-fields); null removes a value',
});

export const Phone = Strict({
  number: Type.String({ description: 'E.164' }),
  ext: Type.Union([Type.String(), Type.Null()], { description: 'extension digits' }),
  label: Type.Union([Type.String(), Type.Null()]),
});
export const PhoneInput = Type.Union([PhoneText, Strict({ number: PhoneText, label: Type.Optional(PhoneLabel) })]);

export const Customer = Strict({
  id: Type.Integer(),
  name: Type.String(),
  company: Type.String(),
  phones: Type.Array(Phone),
  emails: Type.Array(Type.String()),
  language: Type.Union([Type.String(), Type.Null()], { description: 'BCP 47 tag' }),
  tags: Type.Array(Type.String()),
  vipLevel: Type.Integer({ description: `0 (none) to ${VIP_LEVELS.max} (highest)` }),
  preferredAgent: Type.Union([Type.String(), Type.Null()], { description: 'extension of the preferred agent' }),
  custom: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

const customerFields = {
  company: Type.Optional(Type.String({ maxLength: 200 })),
  phones: Type.Optional(Type.Array(PhoneInput, { maxItems: 20 })),
  emails: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 254 }), { maxItems: 20 })),
  language: Type.Optional(Type.Union([Type.String({ minLength: 2, maxLength: 35 }), Type.Null()], { description: 'BCP 47 tag (en, en-US, zh-Hans-CN)' })),
  tags: Type.Optional(Type.Array(Tag, { maxItems: 50 })),
  vipLevel: Type.Optional(Type.Integer({ minimum: VIP_LEVELS.min, maximum: VIP_LEVELS.max, description: `0 (none) to ${VIP_LEVELS.max} (highest)` })),
  preferredAgent: Type.Optional(Type.Union([Extension, Type.Null()], { description: 'extension of an existing agent' })),
  custom: Type.Optional(Custom),
};
const CustomerName = Type.String({ minLength: 1, maxLength: 200 });
export const CustomerInput = Strict({ name: CustomerName, ...customerFields });
/** Lists given in a patch replace the stored lists. */
export const CustomerPatch = Strict({ name: Type.Optional(CustomerName), ...customerFields });

export const CustomerPage = Strict({
  customers: Type.Array(Customer),
  next: Type.Union([Type.Integer(), Type.Null()], { description: 'pass as `after` for the next page; null at the end' }),
});

export const Note = Strict({ id: Type.Integer(), customerId: Type.Integer(), author: Type.String(), text: Type.String(), createdAt: Type.String() });
export const NoteInput = Strict({ text: Type.String({ minLength: 1, maxLength: 10000 }) });

export const CustomField = Strict({
  name: FieldName,
  type: Type.Union(FIELD_TYPES.map((t) => Type.Literal(t))),
  required: Type.Boolean(),
  enumValues: Type.Union([Type.Array(Type.String()), Type.Null()]),
  description: Type.String(),
  createdAt: Type.String(),
});
export const CustomFieldInput = Strict({
  name: FieldName,
  type: Type.Union(FIELD_TYPES.map((t) => Type.Literal(t)), { description: 'date values are YYYY-MM-DD' }),
  required: Type.Optional(Type.Boolean({ description: 'new customers must have a value' })),
  enumValues: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 100, description: 'the allowed values of an enum field' })),
  description: Type.Optional(Type.String({ maxLength: 255 })),
});

export const TimelineItem = Strict({
  kind: Type.Union([Type.Literal('note'), Type.Literal('call'), Type.Literal('ticket')]),
  /** When the note was written, the call started, the ticket was created. */
  at: Type.String(),
  /** note: the note id; call: the call id; ticket: the ticket id. */
  id: Type.String(),
  summary: Type.String(),
  note: Type.Optional(Note),
  call: Type.Optional(Strict({
    id: Type.String(), from: Type.String(), to: Type.String(), direction: Type.String(), state: Type.String(),
    status: Type.Union([Type.Integer(), Type.Null()]), answeredAt: Type.Union([Type.String(), Type.Null()]), endedAt: Type.Union([Type.String(), Type.Null()]),
    matched: Type.String({ description: 'the customer phone (E.164) the call matched' }),
  })),
  ticket: Type.Optional(Strict({
    id: Type.Integer(), subject: Type.String(), status: Type.String(), priority: Type.String(), channel: Type.String(),
    sourceCallId: Type.Union([Type.String(), Type.Null()]), createdAt: Type.String(),
  })),
});

export const Duplicate = Strict({
  customer: Customer,
  reasons: Type.Array(Type.String(), { description: '`phone +1...`, `email x@y`, `name and company`' }),
});

export const MergeInput = Strict({ from: Type.Integer({ minimum: 1, description: 'the customer merged into this one and then deleted' }) });

/** One import row: a customer object (JSON) or a flat CSV record of strings (see crm/import.ts). */
export const ImportRow = Type.Record(Type.String(), Type.Unknown());
export const ImportInput = Strict({
  rows: Type.Array(ImportRow, { maxItems: 5000 }),
  dryRun: Type.Optional(Type.Boolean({ description: 'validate and report, change nothing' })),
  firstRow: Type.Optional(Type.Integer({ minimum: 1, description: 'row number of rows[0] in the file (for the report); default 1' })),
});
export const ImportRowResult = Strict({
  row: Type.Integer(),
  action: Type.Union([Type.Literal('create'), Type.Literal('update'), Type.Literal('error')]),
  customerId: Type.Union([Type.Integer(), Type.Null()], { description: 'created/updated customer (null in a dry run create)' }),
  matchedBy: Type.Union([Type.String(), Type.Null()], { description: '`phone +1...` or `email x@y` when an existing customer was updated' }),
  errors: Type.Array(Strict({ field: Type.String(), message: Type.String() })),
});
export const ImportReport = Strict({
  dryRun: Type.Boolean(),
  created: Type.Integer(),
  updated: Type.Integer(),
  failed: Type.Integer(),
  rows: Type.Array(ImportRowResult),
});

export type Phone = Static<typeof Phone>;
export type PhoneInput = Static<typeof PhoneInput>;
export type Customer = Static<typeof Customer>;
export type CustomerInput = Static<typeof CustomerInput>;
export type CustomerPatch = Static<typeof CustomerPatch>;
export type CustomerPage = Static<typeof CustomerPage>;
export type Note = Static<typeof Note>;
export type NoteInput = Static<typeof NoteInput>;
export type CustomField = Static<typeof CustomField>;
export type CustomFieldInput = Static<typeof CustomFieldInput>;
export type TimelineItem = Static<typeof TimelineItem>;
export type Duplicate = Static<typeof Duplicate>;
export type MergeInput = Static<typeof MergeInput>;
export type ImportInput = Static<typeof ImportInput>;
export type ImportRowResult = Static<typeof ImportRowResult>;
export type ImportReport = Static<typeof ImportReport>;
