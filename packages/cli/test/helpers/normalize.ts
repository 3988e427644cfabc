/** Make CLI output comparable: timestamps become a fixed 24-character stand-in (table widths keep). */
export const TIME = '2000-01-01T00:00:00.000Z';
const ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g;

export function normTimes(text: string): string {
  return text.replace(ISO, TIME);
}

/** The same on parsed JSON: every ISO timestamp string anywhere in the value becomes TIME. */
export function normJson<T>(value: T): T {
  return JSON.parse(normTimes(JSON.stringify(value))) as T;
}

/** oclif's human error text on one line: its `›` prefixes and wrapping at the terminal width removed. */
export function flat(stderr: string): string {
  return stderr.replace(/\s*›\s*/g, ' ').replace(/\s+/g, ' ').trim();
}
