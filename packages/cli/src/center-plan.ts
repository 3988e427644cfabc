import { isDeepStrictEqual } from 'node:util';
import type { Plan } from '@hotline/server/client';

/**
 * Human rendering of a center plan, terraform-like:
 *
 *   + agent 1003
 *   ~ queue support
 *       strategy: ring-all -> longest-idle
 *       settings.ringTimeoutSeconds: 15 -> 20
 *   - skill legacy
 *
 *   Plan: 1 to create, 1 to update, 1 to delete.
 */
type PlannedChange = Plan['changes'][number];

const SIGN: Record<PlannedChange['action'], string> = { create: '+', update: '~', delete: '-' };

/** `pause_reason` -> `pause-reason`: one word per kind, easy to grep. */
export function kindLabel(kind: string): string {
  return kind.replace(/_/g, '-');
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return '(none)';
  if (typeof v === 'string') return /^[\w@.:/()+-]+$/.test(v) ? v : JSON.stringify(v);
  if (isPlainObject(v) && Object.keys(v).length === 0) return '{}';
  return JSON.stringify(v);
}

/** `field: from -> to` lines; objects are compared key by key so only what changes is shown. */
export function fieldLines(field: string, from: unknown, to: unknown): string[] {
  if (isPlainObject(from) && isPlainObject(to)) {
    const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
    return keys.filter((k) => !isDeepStrictEqual(from[k], to[k])).flatMap((k) => fieldLines(`${field}.${k}`, from[k], to[k]));
  }
  return [`${field}: ${formatValue(from)} -> ${formatValue(to)}`];
}

export function changeLines(c: PlannedChange): string[] {
  const head = `${SIGN[c.action]} ${kindLabel(c.kind)} ${c.key}`;
  if (c.action !== 'update') return [head];
  return [head, ...c.fields.flatMap((f) => fieldLines(f.field, f.from, f.to)).map((l) => `    ${l}`)];
}

export function summaryLine(plan: Plan, prefix: 'Plan' | 'Apply complete'): string {
  const { create, update, delete: del } = plan.summary;
  if (prefix === 'Plan') return `Plan: ${create} to create, ${update} to update, ${del} to delete.`;
  return `Apply complete: ${create} created, ${update} updated, ${del} deleted.`;
}

export const NO_CHANGES = 'No changes. The server matches the file.';

/** The change list and the summary line, or the no-changes line. */
export function renderPlan(plan: Plan, prefix: 'Plan' | 'Apply complete'): string {
  if (plan.changes.length === 0) return prefix === 'Plan' ? NO_CHANGES : `${NO_CHANGES}\n${summaryLine(plan, prefix)}`;
  return [...plan.changes.flatMap(changeLines), '', summaryLine(plan, prefix)].join('\n');
}

/** The stderr note about objects the file does not mention, or undefined when there are none. */
export function unmanagedNote(plan: Plan): string | undefined {
  const n = plan.unmanaged.length;
  if (n === 0) return undefined;
  const list = plan.unmanaged.slice(0, 5).map((u) => `${kindLabel(u.kind)} ${u.key}`).join(', ');
  const more = n > 5 ? `, and ${n - 5} more` : '';
  return `${n} object${n === 1 ? '' : 's'} on the server ${n === 1 ? 'is' : 'are'} not in the file (kept; --prune deletes them): ${list}${more}`;
}
