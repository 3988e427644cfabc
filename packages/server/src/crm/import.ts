/**
 * Import of customers from rows: JSON customer objects (as exported) or flat CSV records of text.
 *
 * Columns / keys: `name`, `company`, `phones` (CSV: several separated by `;` or `|`; `phone` is an
 * alias), `emails` (likewise; `email`), `language`, `tags` (`;`-separated), `vipLevel`, `preferredAgent`,
 * `custom` (JSON: an object) or one `custom.<field>` column per custom field. `id`, `createdAt` and
 * `updatedAt` (present in exports) are ignored; any other key is an error, so no data is dropped
 * silently. Empty CSV cells mean "not given".
 *
 * Matching: a row whose phones or emails (normalized) belong to exactly one existing customer updates
 * it instead of creating a duplicate: given fields overwrite, phones, emails and tags are added to the
 * stored ones, custom values are merged. A row matching several customers is an error (merge them
 * first). Earlier rows of the same request count, so a file listing one person twice updates once.
 *
 * Every row is validated; valid rows are applied and invalid ones are reported (row number, field,
 * message), never applied in part: a row is written whole or not at all. The report lists every row.
 * A dry run does the same inside a transaction that is rolled back, so its report is exactly what the
 * import would do (within one request; the CLI sends large files in batches, see ARCHITECTURE.md).
 * Each applied row is audited like a single change (customer.created / customer.updated).
 */
import type { EntityManager } from 'typeorm';
import { In } from 'typeorm';
import { CustomerEmailRow, CustomerPhoneRow, CustomerRow } from '../db/entities/index.js';
import type { WriteContext } from '../db/writer.js';
import { HotlineError, type ErrorDetail } from '../errors.js';
import { recordChanges, type Actor, type Change, type Store } from '../events/changes.js';
import { customerDto, type Customers } from './customers.js';
import type { CustomFields, FieldDefs } from './fields.js';
import { normalizeEmails, normalizePhones, type Prepared } from './normalize.js';
import type { Customer, CustomerPatch, ImportInput, ImportReport, ImportRowResult, PhoneInput } from './schemas.js';

const IGNORED = new Set(['id', 'createdAt', 'updatedAt']);
const ALIASES: Record<string, string> = { phone: 'phones', email: 'emails', vip_level: 'vipLevel', vip: 'vipLevel', preferred_agent: 'preferredAgent' };

type Problems = ErrorDetail[];

function list(v: unknown, path: string, problems: Problems): unknown[] | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'string') return v.split(/[;|\n]/).map((s) => s.trim()).filter(Boolean);
  if (Array.isArray(v)) return v;
  problems.push({ path, message: 'must be a list (CSV: separated by ;)' });
  return undefined;
}

function text(v: unknown, path: string, problems: Problems): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'string') return v.trim() || undefined;
  problems.push({ path, message: 'must be text' });
  return undefined;
}

function scalars(key: string, v: unknown, out: CustomerPatch, problems: Problems): boolean {
  const path = `/${key}`;
  switch (key) {
    case 'name': case 'company': case 'language': case 'preferredAgent': {
      const t = text(v, path, problems);
      if (t !== undefined) (out as Record<string, unknown>)[key] = t;
      return true;
    }
    case 'vipLevel': {
      if (v === undefined || v === null || v === '') return true;
      const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
      if (Number.isInteger(n) && n >= 0 && n <= 5) out.vipLevel = n;
      else problems.push({ path, message: 'must be a whole number 0-5' });
      return true;
    }
    default:
      return false;
  }
}

/** Phones as text or exported objects `{number, ext, label}` (the extension is kept). */
function phoneItems(l: unknown[], problems: Problems): PhoneInput[] {
  const out: PhoneInput[] = [];
  l.forEach((p, i) => {
    if (typeof p === 'string') return void out.push(p);
    const o = (p ?? {}) as { number?: unknown; ext?: unknown; label?: unknown };
    if (typeof o.number !== 'string') return void problems.push({ path: `/phones/${i}`, message: 'must be text or an object with a number' });
    const number = typeof o.ext === 'string' && o.ext ? `${o.number} ext. ${o.ext}` : o.number;
    out.push(typeof o.label === 'string' && o.label ? { number, label: o.label } : number);
  });
  return out;
}

function tags(l: unknown[], problems: Problems): string[] {
  const out: string[] = [];
  l.forEach((t, i) => {
    if (typeof t === 'string' && /^[^\s,;]{1,40}$/.test(t)) out.push(t);
    else problems.push({ path: `/tags/${i}`, message: `${JSON.stringify(t)}: 1-40 characters, no spaces, commas or semicolons` });
  });
  return out;
}

/** One import row -> a customer input, with problems for what cannot be read. */
export function readRow(row: Record<string, unknown>, problems: Problems): CustomerPatch {
  const out: CustomerPatch = {};
  const custom: Record<string, unknown> = {};
  for (const [rawKey, v] of Object.entries(row)) {
    const key = ALIASES[rawKey] ?? rawKey;
    if (IGNORED.has(key) || scalars(key, v, out, problems)) continue;
    if (key === 'phones') {
      const l = list(v, '/phones', problems);
      if (l) out.phones = [...(out.phones ?? []), ...phoneItems(l, problems)];
    } else if (key === 'emails') {
      const l = list(v, '/emails', problems);
      if (l) out.emails = [...(out.emails ?? []), ...l.map(String)];
    } else if (key === 'tags') {
      const l = list(v, '/tags', problems);
      if (l) out.tags = tags(l, problems);
    } else if (key === 'custom' && v !== null && typeof v === 'object' && !Array.isArray(v)) {
      Object.assign(custom, v);
    } else if (key.startsWith('custom.') && key.length > 7) {
      custom[key.slice(7)] = v;
    } else {
      problems.push({ path: `/${rawKey}`, message: 'unknown column' });
    }
  }
  if (Object.keys(custom).length) out.custom = custom as CustomerPatch['custom'];
  return out;
}

/**
 * A row's match keys, its phones and emails normalized: `phone +14155550100`, `email a@b.example`
 * (also the `matchedBy` text). Unreadable ones are left out here; validation reports them.
 */
function keysOf(input: CustomerPatch, region: string): string[] {
  const scratch: Problems = [];
  return [
    ...normalizePhones(input.phones ?? [], region, scratch).map((p) => `phone ${p.number}`),
    ...normalizeEmails(input.emails ?? [], scratch).map((e) => `email ${e.toLowerCase()}`),
  ];
}

/** The customers holding each key (ids ascending): one query per key kind for a whole batch. */
async function holdersOf(em: EntityManager, keys: string[]): Promise<Map<string, number[]>> {
  const of = (kind: string) => [...new Set(keys.filter((k) => k.startsWith(kind)).map((k) => k.slice(kind.length)))];
  const numbers = of('phone ');
  const emails = of('email ');
  const out = new Map<string, number[]>();
  const add = (key: string, id: number) => {
    const ids = out.get(key) ?? [];
    if (!ids.includes(id)) ids.push(id);
    out.set(key, ids);
  };
  if (numbers.length) {
    for (const p of await em.find(CustomerPhoneRow, { where: { number: In(numbers) }, order: { customerId: 'ASC' } })) add(`phone ${p.number}`, p.customerId);
  }
  if (emails.length) {
    for (const e of await em.find(CustomerEmailRow, { where: { emailLower: In(emails) }, order: { customerId: 'ASC' } })) add(`email ${e.emailLower}`, e.customerId);
  }
  return out;
}

/** Add the stored phones, emails and tags to the prepared update (import adds to lists, never drops). */
function withStored(stored: Customer, p: Prepared): Prepared {
  const phones = p.phones ? [...stored.phones] : undefined;
  for (const ph of p.phones ?? []) if (!phones!.some((x) => x.number === ph.number && x.ext === ph.ext)) phones!.push(ph);
  const emails = p.emails ? [...stored.emails] : undefined;
  for (const e of p.emails ?? []) if (!emails!.some((x) => x.toLowerCase() === e.toLowerCase())) emails!.push(e);
  return { ...p, ...(phones ? { phones } : {}), ...(emails ? { emails } : {}), ...(p.tags ? { tags: [...new Set([...stored.tags, ...p.tags])] } : {}) };
}

class DryRun extends Error {
  constructor(readonly report: ImportReport) {
    super('dry run');
  }
}

/** Rows matched, validated and written together (bounded IN lists and multi-row INSERTs). */
const BATCH = 500;

interface Parsed {
  rowNo: number;
  input: CustomerPatch;
  problems: Problems;
  keys: string[];
}

/** What the database holds for a batch's keys: holders per key, and each holder's row and DTO. */
interface Known {
  holders: Map<string, number[]>;
  stored: Map<number, { row: CustomerRow; dto: Customer }>;
}

/** A valid row waiting to be written with its batch; `result.customerId` is set when a create is written. */
interface Planned {
  row: CustomerRow | null;
  before: Customer | undefined;
  final: Prepared;
  result: ImportRowResult;
}

export class Importer {
  constructor(
    private readonly store: Store,
    private readonly customers: Customers,
    private readonly fields: CustomFields,
  ) {}

  async run(actor: Actor, req: ImportInput): Promise<ImportReport> {
    const dryRun = req.dryRun ?? false;
    try {
      return await this.store.writer.run(async (tx) => {
        const report: ImportReport = { dryRun, created: 0, updated: 0, failed: 0, rows: [] };
        const defs = await this.fields.defs(tx.em);
        const first = req.firstRow ?? 1;
        for (let i = 0; i < req.rows.length; i += BATCH) {
          for (const r of await this.batch(tx, actor, req.rows.slice(i, i + BATCH), first + i, defs)) {
            report.rows.push(r);
            if (r.action === 'create') report.created++;
            else if (r.action === 'update') report.updated++;
            else report.failed++;
          }
        }
        if (dryRun) throw new DryRun(report);
        return report;
      });
    } catch (err) {
      if (!(err instanceof DryRun)) throw err;
      // Customers created in the rolled-back transaction have no id to show (also when a later row updated them).
      const created = new Set(err.report.rows.filter((r) => r.action === 'create').map((r) => r.customerId));
      return { ...err.report, rows: err.report.rows.map((r) => (created.has(r.customerId) ? { ...r, customerId: null } : r)) };
    }
  }

  /**
   * Import rows as if one at a time, in order, with the database work batched: the matches of all rows
   * are read at once, valid rows are collected and written together. A row that touches a customer an
   * earlier row of the batch is about to write (a shared phone or email, or the same matched customer)
   * first writes what is pending and reads again, so it sees that write exactly as it would one by one.
   */
  private async batch(tx: WriteContext, actor: Actor, raws: Array<Record<string, unknown>>, firstRow: number, defs: FieldDefs): Promise<ImportRowResult[]> {
    const rows: Parsed[] = raws.map((raw, i) => {
      const problems: Problems = [];
      const input = readRow(raw, problems);
      return { rowNo: firstRow + i, input, problems, keys: keysOf(input, this.customers.region) };
    });
    const results: ImportRowResult[] = [];
    let pending: Planned[] = [];
    const pendingKeys = new Set<string>();
    const pendingIds = new Set<number>();
    let known = await this.known(tx.em, rows);
    for (const [i, r] of rows.entries()) {
      const holders = r.keys.flatMap((k) => known.holders.get(k) ?? []);
      if (r.keys.some((k) => pendingKeys.has(k)) || holders.some((id) => pendingIds.has(id))) {
        await this.flush(tx, actor, pending);
        pending = [];
        pendingKeys.clear();
        pendingIds.clear();
        known = await this.known(tx.em, rows.slice(i));
      }
      const planned = await this.plan(tx.em, r, known, defs);
      results.push(planned?.result ?? fail(r));
      if (!planned) continue;
      pending.push(planned);
      for (const k of r.keys) pendingKeys.add(k);
      if (planned.row) pendingIds.add(planned.row.id);
    }
    await this.flush(tx, actor, pending);
    return results;
  }

  private async known(em: EntityManager, rows: Parsed[]): Promise<Known> {
    const holders = await holdersOf(em, rows.flatMap((r) => r.keys));
    const ids = [...new Set([...holders.values()].flat())];
    const found = ids.length ? await em.find(CustomerRow, { where: { id: In(ids) } }) : [];
    const dtos = await this.customers.dtos(found, em);
    return { holders, stored: new Map(found.map((row, i) => [row.id, { row, dto: dtos[i]! }])) };
  }

  /** Match and validate one row against what is known; null (with `r.problems`) when it cannot be applied. */
  private async plan(em: EntityManager, r: Parsed, known: Known, defs: FieldDefs): Promise<Planned | null> {
    const { input, problems } = r;
    const hits = new Map<number, string>();
    for (const k of r.keys) for (const id of known.holders.get(k) ?? []) if (!hits.has(id)) hits.set(id, k);
    if (hits.size > 1) problems.push({ path: '', message: `matches several customers (${[...hits].map(([id, by]) => `#${id} by ${by}`).join(', ')}): merge them first` });
    const [id, by] = hits.size === 1 ? [...hits][0]! : [null, null];
    const stored = id === null ? undefined : known.stored.get(id);
    const row = stored?.row ?? null;
    if (!row && !input.name) problems.push({ path: '/name', message: 'is required for a new customer' });
    let prepared: Prepared | undefined;
    try {
      prepared = await this.customers.prepare(em, input, row, true, defs);
    } catch (err) {
      if (!(err instanceof HotlineError) || err.code !== 'invalid_input') throw err;
      problems.push(...err.details.filter((d) => !problems.some((p) => p.path === d.path)));
    }
    if (problems.length || !prepared) return null;
    return {
      row,
      before: stored?.dto,
      final: stored ? withStored(stored.dto, prepared) : prepared,
      result: { row: r.rowNo, action: row ? 'update' : 'create', customerId: row?.id ?? null, matchedBy: by, errors: [] },
    };
  }

  /** Write planned rows: new customers in multi-row INSERTs, updates one by one, then their audit and events in row order. */
  private async flush(tx: WriteContext, actor: Actor, planned: Planned[]): Promise<void> {
    const creates = planned.filter((p) => !p.row);
    const inserted = await this.customers.insertMany(tx.em, creates.map((p) => p.final));
    const written = new Map(creates.map((p, i) => [p, inserted[i]!]));
    for (const p of planned) if (p.row) written.set(p, await this.customers.write(tx.em, p.final, p.row));
    await recordChanges(this.store.events, tx, actor, planned.map((p): Change => {
      const w = written.get(p)!;
      p.result.customerId = w.id;
      const after = customerDto(w, p.final.phones ?? p.before?.phones ?? [], p.final.emails ?? p.before?.emails ?? []);
      return { type: p.row ? 'customer.updated' : 'customer.created', subjectType: 'customer', subjectId: String(w.id), ...(p.before ? { before: p.before } : {}), after };
    }));
  }
}

function fail(r: Parsed): ImportRowResult {
  return {
    row: r.rowNo, action: 'error', customerId: null, matchedBy: null,
    errors: r.problems.map((p) => ({ field: p.path.replace(/^\//, '') || '(row)', message: p.message })),
  };
}
