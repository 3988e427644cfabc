/**
 * Wall-clock dates and times in an IANA time zone, with Intl only (no dependency): the local date of an
 * instant, and the instant of a local date and time. Offsets come from Intl.DateTimeFormat, so DST
 * follows the tz database Node ships.
 */
export interface LocalDate {
  y: number;
  /** 1-12 */
  m: number;
  d: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** The wall clock of `tz` at instant `t`, as if it were UTC (ms). */
function wallAsUtc(tz: string, t: number): number {
  const p: Record<string, number> = {};
  for (const part of formatter(tz).formatToParts(new Date(t))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return Date.UTC(p['year']!, p['month']! - 1, p['day']!, p['hour']! % 24, p['minute']!, p['second']!) + (t % 1000 + 1000) % 1000;
}

/** Offset of `tz` from UTC at instant `t`, in ms (east positive). */
export function offsetAt(tz: string, t: number): number {
  return wallAsUtc(tz, t) - t;
}

export function localDate(tz: string, t: number): LocalDate {
  const w = new Date(wallAsUtc(tz, t));
  return { y: w.getUTCFullYear(), m: w.getUTCMonth() + 1, d: w.getUTCDate() };
}

export function addDays(d: LocalDate, n: number): LocalDate {
  const w = new Date(Date.UTC(d.y, d.m - 1, d.d + n));
  return { y: w.getUTCFullYear(), m: w.getUTCMonth() + 1, d: w.getUTCDate() };
}

/** 0 = Sunday. */
export function weekday(d: LocalDate): number {
  return new Date(Date.UTC(d.y, d.m - 1, d.d)).getUTCDay();
}

/**
 * The instant of local date `d` at `minutes` after local midnight in `tz` (1440 = the next midnight).
 * A wall time skipped by a spring-forward change moves forward by the length of the gap (02:30 becomes
 * 03:30); a repeated one (fall back) maps to its first occurrence (both like Temporal's `compatible`).
 */
export function zonedToUtc(tz: string, d: LocalDate, minutes: number): number {
  const wall = Date.UTC(d.y, d.m - 1, d.d) + minutes * 60_000;
  // Try the offsets in force just before and after: the one that maps back to `wall` is right.
  const before = offsetAt(tz, wall - 86_400_000 / 2);
  const after = offsetAt(tz, wall + 86_400_000 / 2);
  const candidates = [wall - before, wall - after].filter((t) => wallAsUtc(tz, t) === wall).sort((a, b) => a - b);
  if (candidates.length) return candidates[0]!;
  // In the gap: the wall time does not exist; read with the old offset it lands after the change.
  return wall - before;
}
