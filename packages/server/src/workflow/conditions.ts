/**
 * Conditions and templates over an event. A field is a dotted path (`payload.after.priority`) or a
 * JSON pointer (RFC 6901: `/payload/after/priority`) into the event (type, subjectType, subjectId,
 * agentId, queueId, callId, payload, ...). A rule's conditions all have to hold. Templates replace
 * `{{path}}` placeholders with the field's value (empty when missing; objects as JSON).
 */

export const OPS = ['eq', 'ne', 'in', 'contains', 'gt', 'lt', 'exists', 'matches'] as const;
export type Op = (typeof OPS)[number];

export interface Condition {
  field: string;
  op: Op;
  value?: unknown;
}

/** The segments of a path: JSON pointer (RFC 6901 section 4, `~1` is `/`, `~0` is `~`) or dotted. */
export function pathSegments(field: string): string[] {
  if (field.startsWith('/')) return field.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  return field.split('.');
}

export function getField(event: unknown, field: string): unknown {
  let v: unknown = event;
  for (const seg of pathSegments(field)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = Array.isArray(v) ? v[Number(seg)] : (v as Record<string, unknown>)[seg];
  }
  return v;
}

const same = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);

function compare(a: unknown, b: unknown): number | null {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') {
    const na = Number(a);
    const nb = Number(b);
    if (a !== '' && b !== '' && !Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === 'string' && typeof b === 'number' && a !== '' && !Number.isNaN(Number(a))) return Number(a) - b;
  return null;
}

export function holds(c: Condition, event: unknown): boolean {
  const v = getField(event, c.field);
  switch (c.op) {
    case 'exists': return (v !== undefined && v !== null) === (c.value === undefined ? true : Boolean(c.value));
    case 'eq': return same(v, c.value);
    case 'ne': return !same(v, c.value);
    case 'in': return Array.isArray(c.value) && c.value.some((x) => same(v, x));
    case 'contains':
      if (Array.isArray(v)) return v.some((x) => same(x, c.value));
      return typeof v === 'string' && typeof c.value === 'string' && v.includes(c.value);
    case 'gt': { const d = compare(v, c.value); return d !== null && d > 0; }
    case 'lt': { const d = compare(v, c.value); return d !== null && d < 0; }
    case 'matches': return typeof v === 'string' && typeof c.value === 'string' && new RegExp(c.value).test(v);
  }
}

export function allHold(conditions: Condition[], event: unknown): boolean {
  return conditions.every((c) => holds(c, event));
}

/** Replace `{{ path }}` placeholders with values from the event. */
export function render(template: string, event: unknown): string {
  return template.replace(/\{\{\s*([^}\s]+)\s*\}\}/g, (_m, path: string) => {
    const v = getField(event, path);
    if (v === undefined || v === null) return '';
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
  });
}

/** True when an event type matches a trigger pattern: exact, `prefix.*`, or `*`. */
export function typeMatches(pattern: string, type: string): boolean {
  return pattern === '*' || pattern === type || (pattern.endsWith('.*') && type.startsWith(pattern.slice(0, -1)));
}
