/**
 * Placeholders of canned responses (kind `phrase`): `{{customer.name}}`, `{{agent.name}}`,
 * `{{call.number}}`, ... A phrase may use only the names in PLACEHOLDERS (checked when it is saved);
 * rendering fills them from the context given (customer, agent, call) and leaves a missing value empty,
 * reporting it in `missing`.
 */
import { InvalidInput } from '../errors.js';

export const PLACEHOLDERS = [
  'customer.name', 'customer.company', 'customer.email', 'customer.phone',
  'agent.name', 'agent.extension',
  'call.number', 'call.queue', 'call.id',
  'ticket.id', 'ticket.subject',
  'today',
] as const;

const KNOWN = new Set<string>(PLACEHOLDERS);
const PATTERN = /\{\{\s*([^{}]*?)\s*\}\}/g;

export function placeholdersOf(text: string): string[] {
  return [...new Set([...text.matchAll(PATTERN)].map((m) => m[1]!))];
}

/** Throws InvalidInput listing every unknown placeholder. */
export function checkPlaceholders(text: string, path = '/body'): void {
  const unknown = placeholdersOf(text).filter((p) => !KNOWN.has(p));
  if (unknown.length) {
    throw new InvalidInput(`unknown placeholders: ${unknown.map((u) => `{{${u}}}`).join(', ')} (known: ${PLACEHOLDERS.join(', ')})`,
      unknown.map((u) => ({ path, message: `unknown placeholder {{${u}}}` })));
  }
}

export function renderPhrase(text: string, vars: Record<string, string>, now = new Date()): { text: string; missing: string[] } {
  const missing = new Set<string>();
  const out = text.replace(PATTERN, (_m, name: string) => {
    if (name === 'today' && vars[name] === undefined) return now.toISOString().slice(0, 10);
    const v = vars[name];
    if (v === undefined) missing.add(name);
    return v ?? '';
  });
  return { text: out, missing: [...missing] };
}
