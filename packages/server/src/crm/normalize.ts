/**
 * Turning customer input into what is stored: phones to E.164 (phone.ts), emails validated and
 * lower-cased for lookup, the language as a canonical BCP 47 tag (`Intl.getCanonicalLocales`: `en-us`
 * becomes `en-US`, `en_US` is rejected), tags de-duplicated, the preferred agent checked to exist,
 * custom values checked against the field definitions (fields.ts). Every problem is collected with its
 * JSON-pointer path (`/phones/1`, `/emails/0`, `/custom/tier`), so one answer lists them all.
 */
import type { EntityManager } from 'typeorm';
import { AgentRow } from '../db/entities/index.js';
import type { ErrorDetail } from '../errors.js';
import { applyCustom, missingRequired, type FieldDefs } from './fields.js';
import { normalizePhone } from './phone.js';
import type { CustomerPatch, PhoneInput } from './schemas.js';

export interface StoredPhone {
  number: string;
  ext: string | null;
  label: string | null;
}

/** Everything a customer row and its phone/email rows get; lists are undefined when not given. */
export interface Prepared {
  name?: string;
  company?: string;
  language?: string | null;
  tags?: string[];
  vipLevel?: number;
  preferredAgent?: string | null;
  custom?: Record<string, unknown>;
  phones?: StoredPhone[];
  emails?: string[];
}

/** Lower case, accents and punctuation removed, words sorted: `Müller, Hans` and `hans muller` fold alike. */
export function fold(s: string): string {
  return s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean).sort().join(' ').slice(0, 200);
}

const EMAIL = /^[^\s@"(),:;<>[\]\\]{1,64}@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+\p{L}{2,63}$/u;

export function emailProblem(email: string): string | null {
  if (email.length > 254) return 'is longer than 254 characters';
  return EMAIL.test(email) ? null : `${JSON.stringify(email)} is not a valid email address`;
}

export function canonicalLanguage(tag: string): string | null {
  try {
    const [canonical] = Intl.getCanonicalLocales(tag.trim());
    return canonical ?? null;
  } catch {
    return null;
  }
}

export function normalizePhones(phones: PhoneInput[], region: string, problems: ErrorDetail[]): StoredPhone[] {
  const out: StoredPhone[] = [];
  phones.forEach((p, i) => {
    const text = typeof p === 'string' ? p : p.number;
    const r = normalizePhone(text, region);
    if (!r.ok) {
      problems.push({ path: `/phones/${i}`, message: r.problem });
      return;
    }
    if (!out.some((o) => o.number === r.phone.number && o.ext === r.phone.ext)) {
      out.push({ ...r.phone, label: typeof p === 'string' ? null : (p.label ?? null) });
    }
  });
  return out;
}

export function normalizeEmails(emails: string[], problems: ErrorDetail[]): string[] {
  const out: string[] = [];
  emails.forEach((e, i) => {
    const email = e.trim();
    const problem = emailProblem(email);
    if (problem) problems.push({ path: `/emails/${i}`, message: problem });
    else if (!out.some((o) => o.toLowerCase() === email.toLowerCase())) out.push(email);
  });
  return out;
}

export interface NormalizeContext {
  em: EntityManager;
  defs: FieldDefs;
  region: string;
  /** The stored custom values (update) or `{}` (create). */
  currentCustom: Record<string, unknown>;
  creating: boolean;
  /** Values come from text (CSV): numbers and booleans may be text, empty cells mean "not given". */
  fromText?: boolean;
}

/** Normalize and check a create/update input; collects problems instead of throwing. */
export async function normalizeInput(input: CustomerPatch, ctx: NormalizeContext, problems: ErrorDetail[]): Promise<Prepared> {
  const out: Prepared = {};
  if (input.name !== undefined) {
    out.name = input.name.trim();
    if (out.name === '') problems.push({ path: '/name', message: 'must not be empty' });
  }
  if (input.company !== undefined) out.company = input.company.trim();
  if (input.phones !== undefined) out.phones = normalizePhones(input.phones, ctx.region, problems);
  if (input.emails !== undefined) out.emails = normalizeEmails(input.emails, problems);
  if (input.language !== undefined) {
    out.language = input.language === null ? null : canonicalLanguage(input.language);
    if (input.language !== null && out.language === null) problems.push({ path: '/language', message: `${JSON.stringify(input.language)} is not a BCP 47 language tag (e.g. en, en-US, zh-Hans)` });
  }
  if (input.tags !== undefined) out.tags = [...new Set(input.tags.map((t) => t.trim()))];
  if (input.vipLevel !== undefined) out.vipLevel = input.vipLevel;
  if (input.preferredAgent !== undefined) {
    out.preferredAgent = input.preferredAgent;
    if (input.preferredAgent !== null && !(await ctx.em.findOne(AgentRow, { where: { extension: input.preferredAgent }, select: { id: true } }))) {
      problems.push({ path: '/preferredAgent', message: `there is no agent with extension ${input.preferredAgent}` });
    }
  }
  if (input.custom !== undefined || ctx.creating) {
    out.custom = applyCustom(ctx.defs, ctx.currentCustom, input.custom ?? {}, ctx.fromText ?? false, problems);
    if (ctx.creating) missingRequired(ctx.defs, out.custom, problems);
  }
  return out;
}
