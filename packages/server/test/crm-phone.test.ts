/**
 * Phone normalization of the CRM (crm/phone.ts) and the `crm.defaultRegion` setting: messy input
 * (spaces, dashes, dots, parentheses, national formats, the `00` and the region's own international
 * prefix, extensions, tel: URIs) becomes E.164; invalid numbers are rejected with the input named.
 */
import test from 'ava';
import { loadConfig } from '../src/config/load.js';
import { callNumberForms, normalizePhone } from '../src/crm/phone.js';

const cases: Array<[string, string, string, string | null]> = [
  // input, region, E.164, extension
  ['(415) 555-0100', 'US', '+14155550100', null],
  ['415.555.0100', 'US', '+14155550100', null],
  ['  415 555 0100  ', 'US', '+14155550100', null],
  ['1-415-555-0100', 'US', '+14155550100', null],
  ['+1 (415) 555-0100', 'US', '+14155550100', null],
  ['011 49 30 1234567', 'US', '+49301234567', null],
  ['0049 30 1234567', 'US', '+49301234567', null],
  ['00 44 20 7946 0958', 'US', '+442079460958', null],
  ['+49 (0)30 1234567', 'US', '+49301234567', null],
  ['030 1234567', 'DE', '+49301234567', null],
  ['030/123-4567', 'DE', '+49301234567', null],
  ['020 7946 0958', 'GB', '+442079460958', null],
  ['415-555-0100 x12', 'US', '+14155550100', '12'],
  ['+1 415 555 0100 ext. 345', 'US', '+14155550100', '345'],
  ['(415) 555-0100 #7', 'US', '+14155550100', '7'],
  ['tel:+14155550100', 'US', '+14155550100', null],
];

test('messy phone input is normalized to E.164 with the extension apart', (t) => {
  for (const [input, region, number, ext] of cases) {
    const r = normalizePhone(input, region);
    t.deepEqual(r, { ok: true, phone: { number, ext } }, `${JSON.stringify(input)} in ${region}`);
  }
});

test('invalid phone numbers are rejected with a message naming the input', (t) => {
  for (const [input, region, want] of [
    ['555', 'US', /"555" is not a valid phone number/],
    ['030 1234567', 'US', /is not a valid phone number \(read as \+10301234567/],
    ['+1 415 555 01', 'US', /not a valid phone number/],
    ['call me', 'US', /"call me" is not a phone number/],
    ['', 'US', /is empty/],
    ['1'.repeat(80), 'US', /longer than 64/],
  ] as const) {
    const r = normalizePhone(input, region);
    t.false(r.ok, input);
    if (!r.ok) t.regex(r.problem, want, input);
  }
});

test('call record forms of an E.164 number: with and without +, 00, national with and without prefix', (t) => {
  t.deepEqual(callNumberForms('+49301234567').sort(), ['+49301234567', '0049301234567', '0301234567', '301234567', '49301234567'].sort());
  t.deepEqual(callNumberForms('+14155550100').sort(), ['+14155550100', '0014155550100', '14155550100', '4155550100'].sort());
});

test('crm.defaultRegion: default US, any ISO 3166-1 alpha-2 code with a numbering plan, anything else rejected', (t) => {
  t.is(loadConfig({ env: {} }).crm.defaultRegion, 'US');
  t.is(loadConfig({ env: { HOTLINE_CRM_DEFAULT_REGION: 'DE' } }).crm.defaultRegion, 'DE');
  for (const bad of ['us', 'XX', 'USA', 'D']) {
    const err = t.throws(() => loadConfig({ env: { HOTLINE_CRM_DEFAULT_REGION: bad } }));
    t.regex(err?.message ?? '', /crm\.defaultRegion: must be an ISO 3166-1 alpha-2 country code/, bad);
  }
});
