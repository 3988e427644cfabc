/**
 * Skills, pause reasons and dispositions are small named catalogs with the same five verbs. Each
 * catalog is described once here (key, fields, how to reach its API); `commands/<topic>/<verb>.ts`
 * is then one line: `export default catalogCommand(skills, 'create')`.
 */
import type { HotlineClient } from '@hotline/server/client';
import { Args, Flags, type Command } from '@oclif/core';
import { HotlineCommand } from './base.js';
import { defined, requireSome, usageError } from './flags.js';
import type { Column } from './output.js';

type Row = Record<string, unknown>;

/** The client collection of one catalog (method syntax: the typed collections fit it). */
interface CatalogApi {
  list(): Promise<Row[]>;
  get(key: string): Promise<Row>;
  create(input: Row): Promise<Row>;
  update(key: string, patch: Row): Promise<Row>;
  delete(key: string): Promise<void>;
}

interface Field {
  /** API field name. */
  prop: string;
  /** CLI flag name. */
  flag: string;
  /** `minutes`: a whole number, or `none` for no limit (null). */
  kind: 'string' | 'boolean' | 'minutes';
  description: string;
  /** Required by `create`. */
  required?: boolean;
}

export interface CatalogSpec {
  topic: string;
  /** Singular, for messages: `pause reason`. */
  noun: string;
  key: 'name' | 'code';
  api(c: HotlineClient): CatalogApi;
  fields: Field[];
  /** Example key and flags for create and update. */
  example: { key: string; create: string; update: string };
}

export const skills: CatalogSpec = {
  topic: 'skills', noun: 'skill', key: 'name', api: (c) => c.skills,
  fields: [{ prop: 'description', flag: 'description', kind: 'string', description: 'what the skill means (up to 255 characters)' }],
  example: { key: 'billing', create: '--description "Invoices and payments"', update: '--description "Invoices, payments, refunds"' },
};

export const pauseReasons: CatalogSpec = {
  topic: 'pause-reasons', noun: 'pause reason', key: 'code', api: (c) => c.pauseReasons,
  fields: [
    { prop: 'label', flag: 'label', kind: 'string', description: 'label agents see', required: true },
    { prop: 'paid', flag: 'paid', kind: 'boolean', description: 'paid time (--no-paid: unpaid)' },
    { prop: 'maxMinutes', flag: 'max-minutes', kind: 'minutes', description: 'longest allowed pause, 1-1440 minutes, or `none`' },
  ],
  example: { key: 'lunch', create: '--label Lunch --no-paid --max-minutes 45', update: '--max-minutes none' },
};

export const dispositions: CatalogSpec = {
  topic: 'dispositions', noun: 'disposition', key: 'code', api: (c) => c.dispositions,
  fields: [
    { prop: 'label', flag: 'label', kind: 'string', description: 'label agents pick at wrap-up', required: true },
    { prop: 'requiresNote', flag: 'requires-note', kind: 'boolean', description: 'a note is required (--no-requires-note: optional)' },
  ],
  example: { key: 'sale', create: '--label "Sale made" --requires-note', update: '--label "Sale closed"' },
};

const human = (v: unknown): unknown => (v === true ? 'yes' : v === false ? 'no' : v === '' ? null : v);

function columns(spec: CatalogSpec): Column<Row>[] {
  return [spec.key, ...spec.fields.map((f) => f.flag)].map((header, i) => {
    const prop = i === 0 ? spec.key : spec.fields[i - 1]!.prop;
    return { header: header.replace(/-/g, ' '), get: (r: Row) => human(r[prop]) };
  });
}

function fieldFlags(spec: CatalogSpec, forCreate: boolean) {
  return Object.fromEntries(spec.fields.map((f) => {
    const required = forCreate && f.required;
    const flag = f.kind === 'boolean'
      ? Flags.boolean({ description: f.description, allowNo: true })
      : Flags.string({ description: f.description, required, helpValue: f.kind === 'minutes' ? 'N|none' : undefined });
    return [f.flag, flag];
  }));
}

function fieldValues(spec: CatalogSpec, flags: Record<string, unknown>): Row {
  return defined(Object.fromEntries(spec.fields.map((f) => {
    const raw = flags[f.flag];
    if (f.kind !== 'minutes' || raw === undefined || raw === 'none') return [f.prop, raw === 'none' ? null : raw];
    if (!/^\d+$/.test(String(raw))) throw usageError(`--${f.flag} expects a whole number of minutes or \`none\`, got ${JSON.stringify(raw)}`);
    return [f.prop, Number(raw)];
  })));
}

export type Verb = 'create' | 'list' | 'show' | 'update' | 'delete';

/** The oclif command class for one verb of one catalog. */
export function catalogCommand(spec: CatalogSpec, verb: Verb): typeof Command {
  const bin = '<%= config.bin %>';
  const keyArg = { [spec.key]: Args.string({ description: `${spec.noun} ${spec.key}`, required: true }) };
  const ex = spec.example;
  const desc: Record<Verb, string> = {
    create: `Create a ${spec.noun}`, list: `List ${spec.noun}s`, show: `Show a ${spec.noun}`,
    update: `Change a ${spec.noun} (only the given fields change)`, delete: `Delete a ${spec.noun}`,
  };
  const examples: Record<Verb, string[]> = {
    create: [`${bin} ${spec.topic} create ${ex.key} ${ex.create}`],
    list: [`${bin} ${spec.topic} list`, `${bin} ${spec.topic} list --json`],
    show: [`${bin} ${spec.topic} show ${ex.key}`],
    update: [`${bin} ${spec.topic} update ${ex.key} ${ex.update}`],
    delete: [`${bin} ${spec.topic} delete ${ex.key}`],
  };

  return class extends HotlineCommand<typeof Command> {
    static override description = desc[verb];
    static override examples = examples[verb];
    static override args = verb === 'list' ? {} : keyArg;
    static override flags = verb === 'create' || verb === 'update' ? fieldFlags(spec, verb === 'create') : {};

    async run(): Promise<unknown> {
      const api = spec.api(this.client());
      const key = (this.args as Record<string, string>)[spec.key]!;
      const flags = this.flags as Record<string, unknown>;
      if (verb === 'list') {
        const rows = await api.list();
        this.table(rows, columns(spec), `(no ${spec.noun}s)`);
        return rows;
      }
      if (verb === 'delete') {
        await api.delete(key);
        this.note(`deleted ${spec.noun} ${key}`);
        return { deleted: key };
      }
      let row: Row;
      if (verb === 'show') row = await api.get(key);
      else if (verb === 'create') row = await api.create({ [spec.key]: key, ...fieldValues(spec, flags) });
      else {
        const patch = fieldValues(spec, flags);
        requireSome(patch, spec.fields.map((f) => `--${f.flag}`).join(', '));
        row = await api.update(key, patch);
      }
      this.record(columns(spec).map((c) => [c.header, c.get(row)]));
      return row;
    }
  };
}
