/** Shared pieces of `hotline callbacks ...`: table and record views, the statuses, and `--in 30m`. */
import type { Callback } from '@hotline/server/client';
import type { Column } from './output.js';
import { usageError } from './flags.js';

/** Mirrors the server's callback statuses (packages/server/src/workflow/callback-schemas.ts). */
export const CALLBACK_STATUSES = ['scheduled', 'dialing', 'done', 'failed', 'cancelled'] as const;

export const callbackColumns: Column<Callback>[] = [
  { header: 'id', get: (c) => c.id },
  { header: 'status', get: (c) => c.status },
  { header: 'due', get: (c) => c.dueAt },
  { header: 'number', get: (c) => c.number },
  { header: 'agent', get: (c) => c.agent },
  { header: 'customer', get: (c) => c.customerId ?? '-' },
  { header: 'attempts', get: (c) => `${c.attempts}/${c.maxAttempts}` },
  { header: 'note', get: (c) => c.note || '-' },
];

export const callbackRecord = (c: Callback): Array<[string, unknown]> => [
  ['id', c.id],
  ['status', c.status],
  ['number', c.number],
  ['customer', c.customerId],
  ['agent', c.agent],
  ['due', c.dueAt],
  ['attempts', `${c.attempts} of ${c.maxAttempts}, every ${c.retryMinutes} min`],
  ['last call', c.callId],
  ['last error', c.lastError],
  ['note', c.note || '-'],
  ['created by', c.createdBy],
  ['created', c.createdAt],
  ['updated', c.updatedAt],
];

const UNIT_MINUTES: Record<string, number> = { m: 1, h: 60, d: 1440 };

/** `--in 30m`, `2h`, `1d` -> minutes. */
export function parseIn(raw: string): number {
  const m = /^(\d{1,6})([mhd])$/.exec(raw.trim());
  if (!m) throw usageError(`--in expects a number and a unit m, h or d (30m, 2h, 1d), got ${JSON.stringify(raw)}`);
  return Number(m[1]) * UNIT_MINUTES[m[2]!]!;
}
