/**
 * Shared pieces of `hotline tickets ...`, `hotline calendars ...` and `hotline sla-policies ...`: table
 * and record views, the enumerations the server accepts, and the `--hours` syntax of calendars
 * (`mon-fri 09:00-12:00,13:00-17:00`, `sat 10:00-14:00`).
 */
import type { CallInfo, Calendar, CalendarInput, SlaPolicy, Ticket, TicketAttachment } from '@hotline/server/client';
import type { Column } from './output.js';
import { usageError } from './flags.js';

type Pairs = Array<[string, unknown]>;

export const CHANNELS = ['phone', 'email', 'chat', 'web', 'manual'] as const;
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const STATUSES = ['new', 'open', 'pending', 'resolved', 'closed'] as const;
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

export const ticketColumns: Column<Ticket>[] = [
  { header: 'id', get: (t) => t.id },
  { header: 'status', get: (t) => t.status },
  { header: 'priority', get: (t) => t.priority },
  { header: 'assignee', get: (t) => t.assignee ?? '-' },
  { header: 'group', get: (t) => t.group ?? '-' },
  { header: 'customer', get: (t) => t.customerId ?? '-' },
  { header: 'subject', get: (t) => t.subject },
];

export const ticketRecord = (t: Ticket): Pairs => [
  ['id', t.id],
  ['subject', t.subject],
  ['status', t.status],
  ['priority', t.priority],
  ['channel', t.channel],
  ['assignee', t.assignee],
  ['group', t.group],
  ['customer', t.customerId],
  ['tags', t.tags.join(', ') || '-'],
  ['source call', t.sourceCallId],
  ['created by', t.createdBy],
  ['created', t.createdAt],
  ['updated', t.updatedAt],
  ['description', t.description || '-'],
];

export const attachmentColumns: Column<TicketAttachment>[] = [
  { header: 'id', get: (a) => a.id },
  { header: 'name', get: (a) => a.name },
  { header: 'type', get: (a) => a.contentType },
  { header: 'size', get: (a) => a.size },
  { header: 'by', get: (a) => a.createdBy },
  { header: 'created', get: (a) => a.createdAt },
];

/** The source call of a ticket in one line. */
export const callLine = (c: CallInfo): string =>
  `${c.direction} ${c.from} -> ${c.to}, ${c.state}, started ${c.startedAt}${c.answeredAt ? `, answered ${c.answeredAt}` : ''}${c.endedAt ? `, ended ${c.endedAt}` : ''}`;

export const policyRecord = (p: SlaPolicy): Pairs => [
  ['name', p.name], ['calendar', p.calendar], ['priorities', p.priorities.join(', ')], ['first response', `${p.firstResponseMinutes} min`],
  ['next response', p.nextResponseMinutes === null ? '-' : `${p.nextResponseMinutes} min`], ['resolution', `${p.resolutionMinutes} min`],
];

export const calendarColumns: Column<Calendar>[] = [
  { header: 'name', get: (c) => c.name },
  { header: 'time zone', get: (c) => c.timeZone },
  { header: 'hours', get: (c) => hoursText(c.hours) },
  { header: 'holidays', get: (c) => c.holidays.length },
];

export const calendarRecord = (c: Calendar): Pairs => [
  ['name', c.name],
  ['time zone', c.timeZone],
  ...DAYS.map((d): [string, unknown] => [d, (c.hours[d] ?? []).map((r) => `${r.start}-${r.end}`).join(', ') || 'closed']),
  ['holidays', c.holidays.join(', ') || '-'],
  ['created', c.createdAt],
];

export const policyColumns: Column<SlaPolicy>[] = [
  { header: 'name', get: (p) => p.name },
  { header: 'calendar', get: (p) => p.calendar },
  { header: 'priorities', get: (p) => p.priorities.join(',') },
  { header: 'first response', get: (p) => `${p.firstResponseMinutes}m` },
  { header: 'next response', get: (p) => (p.nextResponseMinutes === null ? '-' : `${p.nextResponseMinutes}m`) },
  { header: 'resolution', get: (p) => `${p.resolutionMinutes}m` },
];

function hoursText(h: Calendar['hours']): string {
  return DAYS.filter((d) => h[d]?.length).map((d) => `${d} ${h[d]!.map((r) => `${r.start}-${r.end}`).join(',')}`).join('; ') || 'closed';
}

/**
 * `--hours` values into weekly hours: `DAYS RANGES` where DAYS is a day (`mon`), a span (`mon-fri`) or a
 * list (`sat,sun`), and RANGES is `HH:MM-HH:MM[,HH:MM-HH:MM...]`. Later values add to earlier ones.
 */
export function parseHours(values: string[]): CalendarInput['hours'] {
  const hours: Record<string, Array<{ start: string; end: string }>> = {};
  for (const v of values) {
    const m = /^\s*([a-z,-]+)\s+([0-9:,-]+)\s*$/i.exec(v);
    if (!m) throw usageError(`--hours expects "DAYS HH:MM-HH:MM[,...]" (e.g. "mon-fri 09:00-17:00"), got ${JSON.stringify(v)}`);
    const days = new Set<string>();
    for (const part of m[1]!.toLowerCase().split(',')) {
      const [a, b] = part.split('-') as [string, string | undefined];
      const i = DAYS.indexOf(a as (typeof DAYS)[number]);
      const j = b === undefined ? i : DAYS.indexOf(b as (typeof DAYS)[number]);
      if (i < 0 || j < 0 || j < i) throw usageError(`--hours: unknown day or span ${JSON.stringify(part)} (mon, tue, wed, thu, fri, sat, sun; spans like mon-fri)`);
      for (let k = i; k <= j; k++) days.add(DAYS[k]!);
    }
    const ranges = m[2]!.split(',').map((r) => {
      const rm = /^(\d{1,2}:\d{2})-(\d{1,2}:\d{2})$/.exec(r);
      if (!rm) throw usageError(`--hours: ${JSON.stringify(r)} is not HH:MM-HH:MM`);
      const pad = (x: string) => x.padStart(5, '0');
      return { start: pad(rm[1]!), end: pad(rm[2]!) };
    });
    for (const d of days) hours[d] = [...(hours[d] ?? []), ...ranges];
  }
  return hours;
}
