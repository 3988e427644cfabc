/** API shapes of scheduled callbacks (TypeBox; workflow/callbacks.ts). */
import { Type, type Static } from '@sinclair/typebox';
import { Extension, Strict } from '../acd/schemas.js';

export const CALLBACK_STATUSES = ['scheduled', 'dialing', 'done', 'failed', 'cancelled'] as const;
export type CallbackStatus = (typeof CALLBACK_STATUSES)[number];

const Status = Type.Union(CALLBACK_STATUSES.map((s) => Type.Literal(s)));
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const CallbackInput = Strict({
  number: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'the number to call: any common format, normalized to E.164 in crm.defaultRegion, or an agent\'s extension; default: the customer\'s first phone number' })),
  customerId: Type.Optional(Type.Integer({ minimum: 1, description: 'the customer called back' })),
  agent: Type.Optional(Type.String({ ...Extension, description: 'extension of the agent whose phone rings first; default: the customer\'s preferred agent' })),
  dueAt: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'ISO 8601 time with a zone (`2026-11-24T15:00:00Z`); default: now' })),
  inMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 527040, description: 'due this many minutes from now (instead of dueAt)' })),
  note: Type.Optional(Type.String({ maxLength: 1000 })),
  maxAttempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 10, description: 'attempts before the callback fails (default 3)' })),
  retryMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440, description: 'minutes between attempts (default 10)' })),
});

export const Callback = Strict({
  id: Type.Integer(),
  number: Type.String(),
  customerId: Type.Union([Type.Integer(), Type.Null()]),
  agent: Type.String(),
  dueAt: Type.String({ description: 'when the next attempt is due (for a finished callback: when the last one was)' }),
  status: Status,
  attempts: Type.Integer(),
  maxAttempts: Type.Integer(),
  retryMinutes: Type.Integer(),
  callId: Nullable(Type.String({ description: 'the call of the last attempt' })),
  lastError: Nullable(Type.String({ description: 'why the last attempt failed' })),
  note: Type.String(),
  createdBy: Type.String({ description: 'user name, or `rule:<name>`' }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const CallbackQuery = Type.Object({
  status: Type.Optional(Status),
  agent: Type.Optional(Extension),
  customerId: Type.Optional(Type.Integer({ minimum: 1 })),
  after: Type.Optional(Type.Integer({ minimum: 0, description: 'callbacks with a larger id' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'default 100' })),
}, { additionalProperties: false });

export type CallbackInput = Static<typeof CallbackInput>;
export type Callback = Static<typeof Callback>;
export type CallbackQuery = Static<typeof CallbackQuery>;
