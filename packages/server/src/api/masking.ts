/**
 * Phone masking (setting `privacy.maskPhonesFor`): callers whose role is listed get phone numbers
 * masked in the responses of the customer routes (`/v1/customers...`), the call record routes
 * (`/v1/calls...`), the event log (`/v1/events` and the WebSocket stream `/v1/stream`, api/routes/events.ts)
 * and the audit log (`/v1/audit`): `+14155550100` reads `+1415•••0100`. Requests still take full numbers
 * (a masked agent can look a customer up by the number the caller gave).
 *
 * Customer and call responses have a known shape: in the values of the keys that hold numbers (`number`,
 * `from`, `to`, `fromExt`, `toExt`, `contact`, `matched`, `party`, timeline `summary`) and in duplicate
 * `reasons`, every run of 7 or more digits (with its `+`) is masked: the first 4 digits after the `+`
 * (5 characters) or the first 4 digits, `•••`, the last 4. Extensions (shorter) stay readable.
 * Event payloads and audit states hold any object's states (customers, calls, tickets, rules), so there,
 * besides those keys, every string that as a whole looks like a phone number (an optional `tel:` and `+`,
 * 7 to 15 digits with spaces, dashes or parentheses between; ITU-T E.164 numbers have at most 15 digits,
 * so UUIDs are left alone, and dots are not taken, so IPv4 addresses are) is masked the same way, its
 * separators dropped, whatever its key.
 * Not masked: ticket text and other free text (not parsed for numbers).
 */
import type { FastifyInstance } from 'fastify';
import type { Services } from './services.js';

const NUMBER_KEYS = new Set(['number', 'from', 'to', 'fromExt', 'toExt', 'contact', 'matched', 'party', 'summary']);
const MASKED_PREFIXES = ['/v1/customers', '/v1/calls'];
/** Routes whose payloads are any object's states: number-looking strings are masked under any key. */
const LOG_ROUTES = new Set(['/v1/events', '/v1/audit']);
/**
 * A whole string that is a phone number: optional `tel:` and `+`, 7-15 digits with single spaces, dashes
 * or parentheses between. Not dots (IPv4 addresses) and not ISO dates (`2026-12-25`).
 */
const PHONE_LIKE = /^(?:tel:)?\+?(?!\d{4}-\d\d-\d\d$)\(?\d(?:[\s()-]{0,2}\d){6,14}$/;
const SEPARATORS = /[\s()-]/g;

/** `+14155550100` -> `+1415•••0100`; runs of fewer than 7 digits (extensions) are kept. */
export function maskPhones(text: string): string {
  return text.replace(/\+?\d{7,}/g, (n) => `${n.slice(0, n.startsWith('+') ? 5 : 4)}•••${n.slice(-4)}`);
}

/** Mask by key (`anyKey` false: customer and call shapes) or also every phone-looking string (`anyKey`: logs). */
function walk(v: unknown, key: string | null, anyKey: boolean): unknown {
  if (typeof v === 'string') {
    if (key !== null && (NUMBER_KEYS.has(key) || key === 'reasons')) return maskPhones(v);
    // A formatted number's digit groups are shorter than 7: mask its digits (`(415) 555-0100` -> `4155•••0100`).
    return anyKey && PHONE_LIKE.test(v) ? maskPhones(v.replace(SEPARATORS, '')) : v;
  }
  if (Array.isArray(v)) return v.map((x) => walk(x, key === 'reasons' ? key : null, anyKey));
  if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, walk(x, k, anyKey)]));
  }
  return v;
}

/** The event or audit entry (or a list of them) as a masked role reads it. */
export function maskLogEntry<T>(entry: T): T {
  return walk(entry, null, true) as T;
}

/** Whether this role reads phone numbers masked. */
export function masksPhonesFor(services: Services, role: string | undefined): boolean {
  return role !== undefined && services.config.privacy.maskPhonesFor.includes(role);
}

export function installPhoneMasking(app: FastifyInstance, services: Services): void {
  const roles = new Set(services.config.privacy.maskPhonesFor);
  if (roles.size === 0) return;
  app.addHook('preSerialization', async (req, _reply, payload: unknown) => {
    const role = req.principal?.user.role;
    const url = req.routeOptions.url ?? '';
    if (role === undefined || !roles.has(role)) return payload;
    if (LOG_ROUTES.has(url)) return maskLogEntry(payload);
    return MASKED_PREFIXES.some((p) => url.startsWith(p)) ? walk(payload, null, false) : payload;
  });
}
