/**
 * Phone numbers of customers: whatever people type (spaces, dashes, dots, parentheses, national
 * formats, the `00` or the region's own international prefix, `tel:` URIs, extensions written as
 * `ext.`, `x` or `#`) becomes E.164 (ITU-T E.164: `+` country code and national number, at most 15
 * digits), with the extension kept apart. Parsing and validation are libphonenumber-js with its full
 * ("max") metadata, so a number must be valid for its country's numbering plan, not only of a
 * plausible length. Numbers without `+` or an international prefix are read in the default region
 * (setting `crm.defaultRegion`).
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

export interface NormalizedPhone {
  /** E.164: `+14155550100`. */
  number: string;
  /** Extension digits, or null. */
  ext: string | null;
}

export type PhoneResult = { ok: true; phone: NormalizedPhone } | { ok: false; problem: string };

/** `00` starts an international number in most of the world (ITU-T E.164 Annex: the recommended prefix). */
const DOUBLE_ZERO = /^[\s().-]*00(?=[\s().-]*[1-9])/;

export function normalizePhone(input: string, region: string): PhoneResult {
  const raw = input.trim();
  if (raw === '') return { ok: false, problem: 'is empty' };
  if (raw.length > 64) return { ok: false, problem: 'is longer than 64 characters' };
  const text = raw.replace(DOUBLE_ZERO, '+');
  const parsed = parsePhoneNumberFromString(text, region as CountryCode);
  if (!parsed) return { ok: false, problem: `${JSON.stringify(raw)} is not a phone number` };
  if (!parsed.isValid()) {
    const where = parsed.country ?? `+${parsed.countryCallingCode}`;
    return { ok: false, problem: `${JSON.stringify(raw)} is not a valid phone number (read as ${parsed.number} in ${where})` };
  }
  const ext = parsed.ext ? parsed.ext.replace(/\D/g, '') || null : null;
  return { ok: true, phone: { number: parsed.number, ext } };
}

/**
 * The ways a customer's E.164 number may appear on a call record, whose from/to hold what the SIP
 * peer sent (a carrier's From user, a dialled number): the E.164 form, its digits without `+`, with
 * `00` in front, and the national forms (national significant number alone and with the national
 * prefix, e.g. `030123456` and `30123456` for +4930123456). Exact string matches only: a call record
 * holding any other form (another international prefix, separators) is not matched.
 */
export function callNumberForms(e164: string): string[] {
  const forms = new Set<string>([e164, e164.slice(1), `00${e164.slice(1)}`]);
  const parsed = parsePhoneNumberFromString(e164);
  if (parsed) {
    forms.add(parsed.nationalNumber);
    forms.add(parsed.format('NATIONAL').replace(/\D/g, ''));
  }
  return [...forms].filter((f) => f.length >= 4);
}
