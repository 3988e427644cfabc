/**
 * A small cron parser (the five fields of crontab(5): minute hour day-of-month month day-of-week) with
 * `*`, numbers, ranges `a-b`, lists `a,b` and steps `*\/n` / `a-b/n`. Day of week 0-7 (0 and 7 are
 * Sunday). As in crontab(5), when both day-of-month and day-of-week are restricted, a time matches when
 * either matches. Times are evaluated in UTC.
 */

export interface Cron {
  minute: Set<number>;
  hour: Set<number>;
  dayOfMonth: Set<number>;
  month: Set<number>;
  dayOfWeek: Set<number>;
  domRestricted: boolean;
  dowRestricted: boolean;
}

const FIELDS: Array<{ name: keyof Cron; min: number; max: number }> = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'dayOfMonth', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'dayOfWeek', min: 0, max: 7 },
];

export class CronError extends Error {}

function parseField(text: string, name: string, min: number, max: number): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!m) throw new CronError(`${name}: cannot read "${part}"`);
    const step = m[4] !== undefined ? Number(m[4]) : 1;
    let lo = min;
    let hi = max;
    if (m[1] !== '*') {
      lo = Number(m[2]);
      hi = m[3] !== undefined ? Number(m[3]) : m[4] !== undefined ? max : lo;
    }
    if (lo < min || hi > max || lo > hi) throw new CronError(`${name}: "${part}" is outside ${min}-${max}`);
    if (step < 1) throw new CronError(`${name}: step must be at least 1`);
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

export function parseCron(expr: string): Cron {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5) throw new CronError(`a cron schedule has 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}`);
  const sets = parts.map((p, i) => parseField(p, FIELDS[i]!.name, FIELDS[i]!.min, FIELDS[i]!.max));
  const dow = sets[4]!;
  if (dow.has(7)) dow.add(0);
  return {
    minute: sets[0]!, hour: sets[1]!, dayOfMonth: sets[2]!, month: sets[3]!, dayOfWeek: dow,
    domRestricted: parts[2] !== '*', dowRestricted: parts[4] !== '*',
  };
}

/** True when the minute containing `at` (UTC) matches. */
export function cronMatches(c: Cron, at: Date): boolean {
  if (!c.minute.has(at.getUTCMinutes()) || !c.hour.has(at.getUTCHours()) || !c.month.has(at.getUTCMonth() + 1)) return false;
  const dom = c.dayOfMonth.has(at.getUTCDate());
  const dow = c.dayOfWeek.has(at.getUTCDay());
  if (c.domRestricted && c.dowRestricted) return dom || dow;
  return dom && dow;
}

/** The first whole minute strictly after `after` that matches, searching up to about 4 years ahead. */
export function nextRun(c: Cron, after: Date): Date | null {
  const t = new Date(Math.floor(after.getTime() / 60_000) * 60_000 + 60_000);
  for (let i = 0; i < 4 * 366 * 24 * 60; i++) {
    if (cronMatches(c, t)) return t;
    t.setTime(t.getTime() + 60_000);
  }
  return null;
}
