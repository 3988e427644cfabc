/**
 * Shared pieces of `hotline customers ...`: table and record views, the flags of create/update,
 * typed custom values (`--custom tier=gold` converted by the field's type, read from the server), and
 * the flat CSV form of a customer (export; import reads it back through the server's importer).
 */
import type { Customer, CustomField, HotlineClient, ImportReport } from '@hotline/server/client';
import { Flags } from '@oclif/core';
import type { Column } from './output.js';
import { usageError } from './flags.js';

type Pairs = Array<[string, unknown]>;

const phoneText = (p: Customer['phones'][number]) => `${p.number}${p.ext ? ` ext. ${p.ext}` : ''}${p.label ? ` (${p.label})` : ''}`;

export const customerColumns: Column<Customer>[] = [
  { header: 'id', get: (c) => c.id },
  { header: 'name', get: (c) => c.name },
  { header: 'company', get: (c) => c.company || '-' },
  { header: 'phones', get: (c) => c.phones.map((p) => p.number).join(' ') || '-' },
  { header: 'emails', get: (c) => c.emails.join(' ') || '-' },
  { header: 'vip', get: (c) => c.vipLevel },
  { header: 'tags', get: (c) => c.tags.join(',') || '-' },
];

export const customerRecord = (c: Customer): Pairs => [
  ['id', c.id],
  ['name', c.name],
  ['company', c.company || '-'],
  ['phones', c.phones.map(phoneText).join(', ') || '-'],
  ['emails', c.emails.join(', ') || '-'],
  ['language', c.language],
  ['tags', c.tags.join(', ') || '-'],
  ['vip level', c.vipLevel],
  ['preferred agent', c.preferredAgent],
  ...Object.entries(c.custom).map(([k, v]): [string, unknown] => [`custom.${k}`, v]),
  ['created', c.createdAt],
  ['updated', c.updatedAt],
];

export const fieldColumns: Column<CustomField>[] = [
  { header: 'name', get: (f) => f.name },
  { header: 'type', get: (f) => f.type },
  { header: 'required', get: (f) => (f.required ? 'yes' : 'no') },
  { header: 'values', get: (f) => f.enumValues?.join(',') ?? '-' },
  { header: 'description', get: (f) => f.description || '-' },
];

export const customerFlags = {
  company: Flags.string({ description: 'company' }),
  phone: Flags.string({ description: 'phone number in any common format (repeatable; on update replaces all phones)', multiple: true }),
  email: Flags.string({ description: 'email address (repeatable; on update replaces all emails)', multiple: true }),
  language: Flags.string({ description: 'BCP 47 language tag: en, en-US, zh-Hans' }),
  tag: Flags.string({ description: 'tag (repeatable; on update replaces all tags)', multiple: true }),
  vip: Flags.integer({ description: 'VIP level 0 (none) to 5 (highest)', min: 0, max: 5 }),
  'preferred-agent': Flags.string({ description: 'extension of the preferred agent' }),
  custom: Flags.string({ description: 'custom field value NAME=VALUE (repeatable; an empty value removes it on update)', multiple: true, helpValue: 'NAME=VALUE' }),
};

/** `--custom name=value` typed by the field definitions (numbers, booleans); unknown names are left to the server to reject. */
export async function customValues(client: HotlineClient, raw: string[] | undefined): Promise<Record<string, string | number | boolean | null> | undefined> {
  if (!raw) return undefined;
  const defs = new Map((await client.customerFields.list()).map((f) => [f.name, f]));
  const out: Record<string, string | number | boolean | null> = {};
  for (const item of raw) {
    const i = item.indexOf('=');
    if (i <= 0) throw usageError(`--custom expects NAME=VALUE, got ${JSON.stringify(item)}`);
    const [name, value] = [item.slice(0, i).trim(), item.slice(i + 1).trim()];
    const type = defs.get(name)?.type;
    if (value === '') out[name] = null;
    else if (type === 'number' && /^-?\d+(\.\d+)?$/.test(value)) out[name] = Number(value);
    else if (type === 'boolean' && /^(true|false)$/.test(value)) out[name] = value === 'true';
    else out[name] = value;
  }
  return out;
}

/** The CSV columns of an export: fixed ones, then one per custom field. */
export function csvHeader(fields: string[]): string[] {
  return ['id', 'name', 'company', 'phones', 'emails', 'language', 'tags', 'vipLevel', 'preferredAgent', ...fields.map((f) => `custom.${f}`), 'createdAt', 'updatedAt'];
}

export function csvRow(c: Customer, fields: string[]): string[] {
  const custom = (v: unknown) => (v === undefined || v === null ? '' : String(v));
  return [
    String(c.id), c.name, c.company, c.phones.map((p) => `${p.number}${p.ext ? ` ext. ${p.ext}` : ''}`).join('; '), c.emails.join('; '),
    c.language ?? '', c.tags.join('; '), String(c.vipLevel), c.preferredAgent ?? '', ...fields.map((f) => custom(c.custom[f])), c.createdAt, c.updatedAt,
  ];
}

/** Failed rows as `row N, field: message` lines. */
export function reportErrors(report: ImportReport): string[] {
  return report.rows.filter((r) => r.action === 'error').flatMap((r) => r.errors.map((e) => `row ${r.row}, ${e.field}: ${e.message}`));
}
