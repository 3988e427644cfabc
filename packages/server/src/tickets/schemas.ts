/** TypeBox schemas of tickets (tickets/): API validation, responses, OpenAPI and the client's types come from here. */
import { Type, type Static, type TLiteral } from '@sinclair/typebox';
import { Extension, Strict } from '../acd/schemas.js';
import { Tag } from '../crm/schemas.js';
import { CHANNELS, PRIORITIES, STATUSES } from './status.js';

const lit = <T extends readonly string[]>(values: T, description?: string) =>
  Type.Union(values.map((v) => Type.Literal(v)) as Array<TLiteral<T[number]>>, description ? { description } : {});

export const Channel = lit(CHANNELS, 'how the request reached us');
export const Priority = lit(PRIORITIES);
export const Status = lit(STATUSES, 'new -> open -> pending -> resolved -> closed (see tickets/status.ts for the allowed transitions)');
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T, description?: string) =>
  Type.Union([t, Type.Null()], description ? { description } : {});

export const Ticket = Strict({
  id: Type.Integer(),
  subject: Type.String(),
  description: Type.String(),
  customerId: Nullable(Type.Integer()),
  channel: Channel,
  priority: Priority,
  status: Status,
  assignee: Nullable(Type.String(), 'extension of the assigned agent'),
  group: Nullable(Type.String(), 'name of the queue the ticket belongs to'),
  tags: Type.Array(Type.String()),
  sourceCallId: Nullable(Type.String(), 'the call this ticket was created from'),
  createdBy: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

const Subject = Type.String({ minLength: 1, maxLength: 200 });
const editable = {
  description: Type.Optional(Type.String({ maxLength: 20000 })),
  customerId: Type.Optional(Nullable(Type.Integer({ minimum: 1 }), 'id of an existing customer')),
  priority: Type.Optional(Priority),
  group: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 64 }), 'name of an existing queue')),
  tags: Type.Optional(Type.Array(Tag, { maxItems: 50 })),
};
export const TicketInput = Strict({
  subject: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'required unless sourceCallId is given (default: `Call from <number>`)' })),
  ...editable,
  channel: Type.Optional(Channel),
  assignee: Type.Optional(Nullable(Extension, 'extension of an existing agent')),
  sourceCallId: Type.Optional(Type.String({
    minLength: 1, maxLength: 36,
    description: 'id of an existing call record (404 if none): channel phone, and the customer whose phone matches the call\'s remote number if exactly one does',
  })),
});
/** Status and assignee change through their own routes (their own events). */
export const TicketPatch = Strict({ subject: Type.Optional(Subject), ...editable });
export const StatusInput = Strict({ status: Status });
export const AssignInput = Strict({ assignee: Nullable(Extension, 'extension of an existing agent; null unassigns') });

export const TicketPage = Strict({
  tickets: Type.Array(Ticket),
  next: Type.Union([Type.Integer(), Type.Null()], { description: 'pass as `after` for the next page; null at the end' }),
});

export const TicketComment = Strict({
  id: Type.Integer(), ticketId: Type.Integer(), author: Type.String(), public: Type.Boolean(),
  fromCustomer: Type.Boolean({ description: 'the customer\'s reply (entered for them)' }), text: Type.String(), createdAt: Type.String(),
});
export const CommentInput = Strict({
  text: Type.String({ minLength: 1, maxLength: 20000 }),
  public: Type.Optional(Type.Boolean({ description: 'visible to the customer; default false (internal)' })),
  fromCustomer: Type.Optional(Type.Boolean({
    description: 'the customer\'s reply, entered for them (implies public): starts the next-response clock; default false (staff)',
  })),
});

export const HistoryEntry = Strict({
  id: Type.Integer(),
  field: Type.String({ description: 'the changed field; `comment` for a new comment, `attachment` for an added (after) or deleted (before) file' }),
  before: Type.Unknown(),
  after: Type.Unknown(),
  actor: Type.String(),
  at: Type.String(),
});

export const TicketAttachment = Strict({
  id: Type.Integer(), ticketId: Type.Integer(), name: Type.String(), contentType: Type.String(), size: Type.Integer(),
  sha256: Type.String({ description: 'SHA-256 (hex) of the file' }), createdBy: Type.String(), createdAt: Type.String(),
});

const Hhmm = Type.String({ pattern: '^([01][0-9]|2[0-4]):[0-5][0-9]$', description: 'HH:MM (end may be 24:00)' });
export const TimeRange = Strict({ start: Hhmm, end: Hhmm });
const dayRanges = Type.Optional(Type.Array(TimeRange, { maxItems: 12, description: 'ranges of this weekday; none: closed' }));
export const WeeklyHours = Strict({ mon: dayRanges, tue: dayRanges, wed: dayRanges, thu: dayRanges, fri: dayRanges, sat: dayRanges, sun: dayRanges });
const Day = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'YYYY-MM-DD (local date)' });
const ObjectName = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$', description: 'letters, digits, `_`, `.`, `-`; at most 64' });

export const Calendar = Strict({
  id: Type.Integer(), name: Type.String(), timeZone: Type.String({ description: 'IANA time zone' }), hours: WeeklyHours,
  holidays: Type.Array(Type.String()), createdAt: Type.String(), updatedAt: Type.String(),
});
export const CalendarInput = Strict({
  name: ObjectName,
  timeZone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone (Europe/Berlin, America/New_York, UTC)' }),
  hours: WeeklyHours,
  holidays: Type.Optional(Type.Array(Day, { maxItems: 1000 })),
});

export const CalendarPatch = Type.Partial(Type.Omit(CalendarInput, ['name']), { additionalProperties: false });

const Minutes = Type.Integer({ minimum: 1, maximum: 525600, description: 'business minutes' });
export const SlaPolicy = Strict({
  id: Type.Integer(), name: Type.String(), calendar: Type.String(), firstResponseMinutes: Type.Integer(),
  nextResponseMinutes: Nullable(Type.Integer()), resolutionMinutes: Type.Integer(), priorities: Type.Array(Priority),
  createdAt: Type.String(), updatedAt: Type.String(),
});
export const SlaPolicyInput = Strict({
  name: ObjectName,
  calendar: Type.String({ minLength: 1, maxLength: 64, description: 'name of a business calendar' }),
  firstResponseMinutes: Minutes,
  nextResponseMinutes: Type.Optional(Nullable(Minutes)),
  resolutionMinutes: Minutes,
  priorities: Type.Array(Priority, { minItems: 1, maxItems: 4, description: 'the ticket priorities this policy applies to' }),
});

/** Every field but the name; fields not given stay as they are. */
export const SlaPolicyPatch = Type.Partial(Type.Omit(SlaPolicyInput, ['name']), { additionalProperties: false });

export const SlaTargetName = lit(['first_response', 'next_response', 'resolution'] as const);
export const SlaTarget = Strict({
  target: SlaTargetName,
  policy: Type.String(),
  startedAt: Type.String(),
  dueAt: Type.String({ description: 'moves later by the business time spent pending (resolution)' }),
  paused: Type.Boolean(),
  pausedMinutes: Type.Number({ description: 'business minutes spent paused so far' }),
  metAt: Nullable(Type.String()),
  breachedAt: Nullable(Type.String()),
});

export type Ticket = Static<typeof Ticket>;
export type TicketInput = Static<typeof TicketInput>;
export type TicketPatch = Static<typeof TicketPatch>;
export type TicketPage = Static<typeof TicketPage>;
export type TicketComment = Static<typeof TicketComment>;
export type CommentInput = Static<typeof CommentInput>;
export type HistoryEntry = Static<typeof HistoryEntry>;
export type StatusInput = Static<typeof StatusInput>;
export type AssignInput = Static<typeof AssignInput>;
export type Calendar = Static<typeof Calendar>;
export type CalendarInput = Static<typeof CalendarInput>;
export type SlaPolicy = Static<typeof SlaPolicy>;
export type SlaPolicyInput = Static<typeof SlaPolicyInput>;
export type SlaTarget = Static<typeof SlaTarget>;
export type TicketAttachment = Static<typeof TicketAttachment>;
export type CalendarPatch = Static<typeof CalendarPatch>;
export type SlaPolicyPatch = Static<typeof SlaPolicyPatch>;
