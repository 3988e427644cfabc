/**
 * Customers: create, read, update, delete, list (paged by id) and lookup by phone or email. Phones
 * (E.164) and emails live in `customer_phones` and `customer_emails`, indexed on the number and the
 * lower-cased address, so a lookup is one index probe whatever the number of customers. Lookup input is
 * normalized exactly like stored numbers (same default region), so `(415) 555-0100` finds `+14155550100`.
 * Several customers may share a number or an address (a switchboard, a family): lookups return all of
 * them, and duplicates.ts offers to merge them. Every change is audited: customer.created|updated|deleted.
 */
import { In, type EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { CustomerEmailRow, CustomerNoteRow, CustomerPhoneRow, CustomerRow } from '../db/entities/index.js';
import { LIKE_ESCAPE } from '../db/like.js';
import type { WriteContext } from '../db/writer.js';
import { InvalidInput, NotFound, type ErrorDetail } from '../errors.js';
import { recordChange, type Actor, type Store } from '../events/changes.js';
import type { CustomFields, FieldDefs } from './fields.js';
import { emailProblem, fold, normalizeInput, type Prepared, type StoredPhone } from './normalize.js';
import { normalizePhone } from './phone.js';
import type { Customer, CustomerInput, CustomerPage, CustomerPatch } from './schemas.js';

export interface ListQuery {
  after?: number;
  limit?: number;
  /** Words of the name or company (folded, substring). */
  q?: string;
  tag?: string;
}

export function invalid(problems: ErrorDetail[]): InvalidInput {
  return new InvalidInput(problems.map((d) => `${d.path}: ${d.message}`).join('; '), problems);
}

export function parseId(id: string | number): number {
  const n = typeof id === 'number' ? id : /^[1-9][0-9]{0,9}$/.test(id) ? Number(id) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new NotFound('customer', id);
  return n;
}

/** The DTO of a row with its phones and emails (in their stored order). */
export function customerDto(r: CustomerRow, phones: StoredPhone[], emails: string[]): Customer {
  return {
    id: r.id, name: r.name, company: r.company, phones, emails, language: r.language, tags: r.tags, vipLevel: r.vipLevel,
    preferredAgent: r.preferredAgent, custom: r.custom, createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString(),
  };
}

/** The distinct rows of a joined table (alias `a`, columns `a_id`, `a_position`) per customer, in stored order. */
function joined<T>(raw: Array<Record<string, unknown>>, a: string, pick: (r: Record<string, unknown>) => T): Map<number, T[]> {
  const rows = new Map<number, { customerId: number; position: number; value: T }>();
  for (const r of raw) {
    const id = r[`${a}_id`];
    if (id !== null && id !== undefined && !rows.has(Number(id))) {
      rows.set(Number(id), { customerId: Number(r.c_id), position: Number(r[`${a}_position`]), value: pick(r) });
    }
  }
  const out = new Map<number, T[]>();
  for (const [, x] of [...rows].sort(([ia, a1], [ib, b1]) => a1.position - b1.position || ia - ib)) {
    const l = out.get(x.customerId) ?? [];
    l.push(x.value);
    out.set(x.customerId, l);
  }
  return out;
}

/** Rows per multi-row INSERT (well under SQLite's bound-parameter and MySQL's packet limits). */
const INSERT_ROWS = 500;

function phoneRows(customerId: number, phones: StoredPhone[]): Array<Partial<CustomerPhoneRow>> {
  return phones.map((ph, position) => ({ customerId, ...ph, position }));
}

function emailRows(customerId: number, emails: string[]): Array<Partial<CustomerEmailRow>> {
  return emails.map((email, position) => ({ customerId, email, emailLower: email.toLowerCase(), position }));
}

export class Customers {
  constructor(
    private readonly store: Store,
    private readonly fields: CustomFields,
    readonly region: string,
  ) {}

  /** DTOs of the given rows, phones and emails in their stored order (three queries for any number of rows). */
  async dtos(rows: CustomerRow[], em: EntityManager = this.store.ds.manager): Promise<Customer[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const phones = await em.find(CustomerPhoneRow, { where: { customerId: In(ids) }, order: { position: 'ASC', id: 'ASC' } });
    const emails = await em.find(CustomerEmailRow, { where: { customerId: In(ids) }, order: { position: 'ASC', id: 'ASC' } });
    return rows.map((r) => customerDto(
      r,
      phones.filter((p) => p.customerId === r.id).map((p) => ({ number: p.number, ext: p.ext, label: p.label })),
      emails.filter((e) => e.customerId === r.id).map((e) => e.email),
    ));
  }

  async row(id: string | number, em: EntityManager = this.store.ds.manager): Promise<CustomerRow> {
    const row = await em.findOne(CustomerRow, { where: { id: parseId(id) } });
    if (!row) throw new NotFound('customer', id);
    return row;
  }

  async get(id: string | number, em: EntityManager = this.store.ds.manager): Promise<Customer> {
    return (await this.dtos([await this.row(id, em)], em))[0]!;
  }

  async list(q: ListQuery = {}, em: EntityManager = this.store.ds.manager): Promise<CustomerPage> {
    const limit = q.limit ?? 100;
    const qb = em.createQueryBuilder(CustomerRow, 'c').where('c.id > :after', { after: q.after ?? 0 }).orderBy('c.id', 'ASC').take(limit + 1);
    if (q.q) {
      const words = fold(q.q).split(' ').filter(Boolean);
      words.forEach((w, i) => {
        const p = `%${w.replace(/[!%_]/g, '!$&')}%`;
        qb.andWhere(`(c.nameKey LIKE :w${i} ${LIKE_ESCAPE} OR c.companyKey LIKE :w${i} ${LIKE_ESCAPE})`, { [`w${i}`]: p });
      });
    }
    if (q.tag) qb.andWhere(`c.tags LIKE :tag ${LIKE_ESCAPE}`, { tag: `%${JSON.stringify(q.tag).replace(/[!%_]/g, '!$&')}%` });
    const rows = await qb.getMany();
    const page = rows.slice(0, limit);
    return { customers: await this.dtos(page, em), next: rows.length > limit ? page[page.length - 1]!.id : null };
  }

  /** Customers holding this phone number (any format, normalized like stored ones) or email address. */
  async lookup(by: { phone?: string; email?: string }, em: EntityManager = this.store.ds.manager): Promise<{ normalized: string; customers: Customer[] }> {
    if ((by.phone === undefined) === (by.email === undefined)) throw new InvalidInput('give exactly one of phone or email', [{ path: '', message: 'phone or email' }]);
    let normalized: string;
    const qb = em.createQueryBuilder(CustomerRow, 'c');
    if (by.phone !== undefined) {
      const r = normalizePhone(by.phone, this.region);
      if (!r.ok) throw new InvalidInput(`phone: ${r.problem}`, [{ path: '/phone', message: r.problem }]);
      normalized = r.phone.number;
      qb.innerJoin(CustomerPhoneRow, 'h', 'h.customerId = c.id AND h.number = :key', { key: normalized });
    } else {
      normalized = by.email!.trim().toLowerCase();
      const problem = emailProblem(normalized);
      if (problem) throw new InvalidInput(`email: ${problem}`, [{ path: '/email', message: problem }]);
      qb.innerJoin(CustomerEmailRow, 'h', 'h.customerId = c.id AND h.emailLower = :key', { key: normalized });
    }
    // The lookup answers every call, so it is one statement (one round trip): the holders found by the
    // index probe, joined with their phones and emails (phones x emails rows per holder, a handful).
    // No ORDER BY: on MariaDB it costs a temporary table and a filesort, several times the probe itself;
    // the few rows are put in stored order here.
    const { entities, raw } = await qb
      .leftJoin(CustomerPhoneRow, 'p', 'p.customerId = c.id').addSelect(['p.id', 'p.number', 'p.ext', 'p.label', 'p.position'])
      .leftJoin(CustomerEmailRow, 'e', 'e.customerId = c.id').addSelect(['e.id', 'e.email', 'e.position'])
      .getRawAndEntities<Record<string, unknown>>();
    const phones = joined(raw, 'p', (r): StoredPhone => ({ number: r.p_number as string, ext: r.p_ext as string | null, label: r.p_label as string | null }));
    const emails = joined(raw, 'e', (r) => r.e_email as string);
    return {
      normalized,
      customers: entities.sort((a, b) => a.id - b.id).map((r) => customerDto(r, phones.get(r.id) ?? [], emails.get(r.id) ?? [])),
    };
  }

  /** Normalize and check input against the stored row (update) or nothing (create); throws with every problem. */
  async prepare(em: EntityManager, input: CustomerPatch, current: CustomerRow | null, fromText = false, defs?: FieldDefs): Promise<Prepared> {
    const problems: ErrorDetail[] = [];
    defs ??= await this.fields.defs(em);
    const p = await normalizeInput(input, { em, defs, region: this.region, currentCustom: current?.custom ?? {}, creating: current === null, fromText }, problems);
    if (problems.length) throw invalid(problems);
    return p;
  }

  /** Write prepared values to a row (new when `row` is null) and replace its phones/emails when given. */
  async write(em: EntityManager, p: Prepared, row: CustomerRow | null): Promise<CustomerRow> {
    const r = this.fill(em, p, row);
    await em.save(CustomerRow, r);
    if (p.phones) {
      if (row) await em.delete(CustomerPhoneRow, { customerId: r.id });
      if (p.phones.length) await em.insert(CustomerPhoneRow, phoneRows(r.id, p.phones));
    }
    if (p.emails) {
      if (row) await em.delete(CustomerEmailRow, { customerId: r.id });
      if (p.emails.length) await em.insert(CustomerEmailRow, emailRows(r.id, p.emails));
    }
    return r;
  }

  /**
   * Insert new customers with their phones and emails in multi-row INSERTs (an import): a few
   * statements per batch instead of several per customer. The rows get their ids from the INSERT
   * (consecutive, as TypeORM assumes for a multi-row INSERT; true for SQLite's single writer and for
   * InnoDB's auto-increment lock modes 0 and 1, MariaDB's default).
   */
  async insertMany(em: EntityManager, ps: Prepared[]): Promise<CustomerRow[]> {
    const rows = ps.map((p) => this.fill(em, p, null));
    for (let i = 0; i < rows.length; i += INSERT_ROWS) await em.insert(CustomerRow, rows.slice(i, i + INSERT_ROWS) as Array<QueryDeepPartialEntity<CustomerRow>>);
    const phones = rows.flatMap((r, i) => phoneRows(r.id, ps[i]!.phones ?? []));
    const emails = rows.flatMap((r, i) => emailRows(r.id, ps[i]!.emails ?? []));
    for (let i = 0; i < phones.length; i += INSERT_ROWS) await em.insert(CustomerPhoneRow, phones.slice(i, i + INSERT_ROWS));
    for (let i = 0; i < emails.length; i += INSERT_ROWS) await em.insert(CustomerEmailRow, emails.slice(i, i + INSERT_ROWS));
    return rows;
  }

  /** The row with prepared values applied (a new entity when `row` is null), not yet saved. */
  private fill(em: EntityManager, p: Prepared, row: CustomerRow | null): CustomerRow {
    const now = new Date();
    const r = row ?? em.create(CustomerRow, {
      name: '', company: '', language: null, tags: [], vipLevel: 0, preferredAgent: null, custom: {}, createdAt: now,
    });
    for (const k of ['name', 'company', 'language', 'tags', 'vipLevel', 'preferredAgent', 'custom'] as const) {
      if (p[k] !== undefined) (r as unknown as Record<string, unknown>)[k] = p[k];
    }
    r.nameKey = fold(r.name);
    r.companyKey = fold(r.company);
    r.updatedAt = now;
    return r;
  }

  async create(tx: WriteContext, actor: Actor, input: CustomerInput): Promise<Customer> {
    const row = await this.write(tx.em, await this.prepare(tx.em, input, null), null);
    const after = await this.get(row.id, tx.em);
    await recordChange(this.store.events, tx, actor, { type: 'customer.created', subjectType: 'customer', subjectId: String(row.id), after });
    return after;
  }

  async update(tx: WriteContext, actor: Actor, id: string, patch: CustomerPatch): Promise<Customer> {
    const row = await this.row(id, tx.em);
    const before = await this.get(row.id, tx.em);
    await this.write(tx.em, await this.prepare(tx.em, patch, row), row);
    const after = await this.get(row.id, tx.em);
    await recordChange(this.store.events, tx, actor, { type: 'customer.updated', subjectType: 'customer', subjectId: String(row.id), before, after });
    return after;
  }

  /** Delete a customer with its phones, emails and notes. */
  async delete(tx: WriteContext, actor: Actor, id: string): Promise<void> {
    const row = await this.row(id, tx.em);
    const before = await this.get(row.id, tx.em);
    await this.remove(tx.em, row.id);
    await recordChange(this.store.events, tx, actor, { type: 'customer.deleted', subjectType: 'customer', subjectId: String(row.id), before });
  }

  async remove(em: EntityManager, id: number): Promise<void> {
    for (const entity of [CustomerPhoneRow, CustomerEmailRow, CustomerNoteRow]) await em.delete(entity, { customerId: id });
    await em.delete(CustomerRow, { id });
  }
}
