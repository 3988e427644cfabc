/**
 * Business time on a calendar: weekly opening hours in an IANA time zone, minus holidays.
 *
 * - `addBusinessMinutes(cal, start, minutes)`: the instant at which `minutes` of business time have
 *   passed since `start` (the SLA due time).
 * - `businessMinutesBetween(cal, a, b)`: business minutes inside [a, b) (0 when b <= a).
 *
 * Hours are wall-clock ranges per weekday (`09:00-12:00`, `13:00-17:00`; several per day). Each range is
 * turned into real instants for each local date through Intl (zoned.ts), so a DST change is handled
 * exactly: a range that spans the change is an hour shorter or longer in real time, others are unchanged.
 * A range never spans midnight (start < end, end at most `24:00`): a night shift is written as two
 * ranges, `22:00-24:00` on one day and `00:00-06:00` on the next. Holidays are local dates (YYYY-MM-DD)
 * on which no range counts. Wall times that do not exist (the skipped hour of a spring-forward change)
 * move forward by the gap (zoned.ts).
 *
 * Pure: no I/O, no clock. Calendars are stored by tickets/calendars.ts; the flows will use the same
 * calendars for opening hours (when they do, this module and zoned.ts move down to a layer flows/ may
 * import; they import nothing above `shared`).
 */
import { addDays, localDate, type LocalDate, weekday, zonedToUtc } from './zoned.js';

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface TimeRange {
  /** `HH:MM`, 00:00-23:59. */
  start: string;
  /** `HH:MM`, after start, at most 24:00. */
  end: string;
}

export interface BusinessCalendar {
  timeZone: string;
  hours: Partial<Record<Weekday, TimeRange[]>>;
  /** Local dates without business hours, `YYYY-MM-DD`. */
  holidays: string[];
}

const MINUTE = 60_000;
/** Searching further than this for business time means the calendar has (almost) none. */
const MAX_DAYS = 3 * 366;

function hm(s: string): number {
  const m = /^([01][0-9]|2[0-4]):([0-5][0-9])$/.exec(s);
  if (!m) return NaN;
  const v = Number(m[1]) * 60 + Number(m[2]);
  return v > 24 * 60 ? NaN : v;
}

/** Problems of a calendar definition (empty when valid): time zone, ranges, holidays. */
export function calendarProblems(cal: BusinessCalendar): Array<{ path: string; message: string }> {
  const out: Array<{ path: string; message: string }> = [];
  if (!isTimeZone(cal.timeZone)) out.push({ path: '/timeZone', message: `unknown IANA time zone ${JSON.stringify(cal.timeZone)}` });
  for (const [day, ranges] of Object.entries(cal.hours)) {
    if (!(WEEKDAYS as readonly string[]).includes(day)) {
      out.push({ path: `/hours/${day}`, message: `not a weekday (${WEEKDAYS.join(', ')})` });
      continue;
    }
    const sorted = [...(ranges ?? [])].map((r, i) => ({ i, s: hm(r.start), e: hm(r.end), r })).sort((a, b) => a.s - b.s);
    let lastEnd = -1;
    for (const { i, s, e, r } of sorted) {
      if (Number.isNaN(s) || Number.isNaN(e) || s >= 24 * 60) out.push({ path: `/hours/${day}/${i}`, message: `${r.start}-${r.end}: times are HH:MM, start before 24:00, end at most 24:00` });
      else if (e <= s) out.push({ path: `/hours/${day}/${i}`, message: `${r.start}-${r.end}: a range ends after it starts and never spans midnight (write two ranges)` });
      else if (s < lastEnd) out.push({ path: `/hours/${day}/${i}`, message: `${r.start}-${r.end} overlaps another range` });
      else lastEnd = e;
    }
  }
  cal.holidays.forEach((d, i) => {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d);
    const ok = m && new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).toISOString().slice(0, 10) === d;
    if (!ok) out.push({ path: `/holidays/${i}`, message: `${JSON.stringify(d)} is not a date (YYYY-MM-DD)` });
  });
  return out;
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz.length > 0;
  } catch {
    return false;
  }
}

/** The business intervals of one local date, as real instants (ms), in order. */
function intervals(cal: BusinessCalendar, d: LocalDate): Array<[number, number]> {
  const key = `${String(d.y).padStart(4, '0')}-${String(d.m).padStart(2, '0')}-${String(d.d).padStart(2, '0')}`;
  if (cal.holidays.includes(key)) return [];
  const ranges = cal.hours[WEEKDAYS[weekday(d)]!] ?? [];
  return ranges
    .map((r): [number, number] => [zonedToUtc(cal.timeZone, d, hm(r.start)), zonedToUtc(cal.timeZone, d, hm(r.end))])
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
}

/** The instant at which `minutes` business minutes have passed since `start`. */
export function addBusinessMinutes(cal: BusinessCalendar, start: Date, minutes: number): Date {
  let remaining = minutes * MINUTE;
  const t0 = start.getTime();
  if (remaining <= 0) return new Date(t0);
  // Start one local day early: cheap, and safe at the boundary between two local dates.
  let d = addDays(localDate(cal.timeZone, t0), -1);
  for (let i = 0; i < MAX_DAYS; i++, d = addDays(d, 1)) {
    for (const [s0, e] of intervals(cal, d)) {
      const s = Math.max(s0, t0);
      if (e <= s) continue;
      if (e - s >= remaining) return new Date(s + remaining);
      remaining -= e - s;
    }
  }
  throw new RangeError(`the calendar has less than ${minutes} business minutes in ${MAX_DAYS} days`);
}

/** Business minutes in [a, b) (fractions of a minute kept); 0 when b <= a. */
export function businessMinutesBetween(cal: BusinessCalendar, a: Date, b: Date): number {
  const ta = a.getTime();
  const tb = b.getTime();
  if (tb <= ta) return 0;
  let total = 0;
  const last = localDate(cal.timeZone, tb);
  for (let d = addDays(localDate(cal.timeZone, ta), -1), i = 0; i < 100 * 366; d = addDays(d, 1), i++) {
    for (const [s, e] of intervals(cal, d)) total += Math.max(0, Math.min(e, tb) - Math.max(s, ta));
    if (d.y === last.y && d.m === last.m && d.d === last.d) break;
  }
  return total / MINUTE;
}
