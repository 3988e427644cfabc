/**
 * Privacy (GDPR-style subject access and erasure) for one customer.
 *
 * Export: everything held about a person as one document: the customer (phones, emails, custom
 * fields), notes, tickets linked to the customer with their comments and history, call records whose
 * numbers match the customer's phones (same matching as the timeline: phone.ts#callNumberForms) with
 * their legs, and the audit and event entries whose subject is the customer.
 *
 * Erase: in one writer transaction,
 * - the customer, its phones, emails, notes (and custom values, which live on the row) are deleted;
 * - tickets linked to the customer keep existing, but subject, description and every comment's text
 *   become `[erased]` and the customer link is cleared; their attachments are deleted, and each file
 *   (db/files.ts) with them once no KB article or other ticket attachment references it (after the commit);
 * - the audit entries whose subject is the customer keep action, actor and time but lose their before
 *   and after states; the events whose subject is the customer keep type and time, their payload
 *   becomes `{by, erased: true}` (these states hold everything, custom fields and tags included);
 * - everywhere else the person's data can have been copied (other customers' notes, ticket text and
 *   history, call records and legs, audit before/after JSON, event payloads), every occurrence of the person's name, emails and every
 *   form of every phone number is replaced: the name and emails by `[erased]`, numbers by
 *   `erased-<first 8 hex of sha256(E.164)>` (so one person's calls still group together, and the
 *   number cannot be read back);
 * - one new audit record `customer.erased` (actor, customer id, counts; no personal data) is written.
 *   It is written through the audit table only, not as a `recordChange` event with a before state.
 *
 * Replacement works on the stored text (JSON columns included: the needles are matched in their JSON
 * escaped form too, and the replacements contain no JSON special characters, so JSON stays valid).
 * Rows are found with LIKE (case-insensitive on both dialects' default collations) and replaced
 * case-insensitively in code. Recordings do not exist yet; when they do, each will be encrypted with a
 * per-call key and erasure will destroy the keys of the person's calls (crypto-shredding).
 */
import { createHash } from 'node:crypto';
import { In, type EntityManager, type EntityTarget } from 'typeorm';
import {
  AuditRow, CallLegRow, CallRow, CustomerEmailRow, CustomerNoteRow, CustomerPhoneRow, CustomerRow, EventRow, TicketAttachmentRow,
  TicketCommentRow, TicketHistoryRow, TicketRow,
} from '../db/entities/index.js';
import type { FileStore } from '../db/files.js';
import { LIKE_ESCAPE } from '../db/like.js';
import type { WriteContext } from '../db/writer.js';
import type { Actor, Store } from '../events/changes.js';
import type { Customers } from './customers.js';
import { callNumberForms } from './phone.js';
import type { Customer } from './schemas.js';

export const ERASED = '[erased]';

export interface PersonalData {
  customer: Customer;
  notes: unknown[];
  /** Attachments are listed by name, type, size and hash; the files are downloaded through the ticket. */
  tickets: Array<{ ticket: unknown; comments: unknown[]; history: unknown[]; attachments: unknown[] }>;
  calls: Array<{ call: unknown; legs: unknown[] }>;
  audit: unknown[];
  events: unknown[];
}

export interface EraseReport {
  customerId: number;
  /** Rows changed or deleted per table. */
  changed: Record<string, number>;
}

/** A text to replace wherever it occurs, and its replacement. */
interface Needle {
  text: string;
  replacement: string;
}

export function numberPlaceholder(e164: string): string {
  return `erased-${createHash('sha256').update(e164).digest('hex').slice(0, 8)}`;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export class Privacy {
  constructor(
    private readonly store: Store,
    private readonly customers: Customers,
    private readonly files: FileStore,
  ) {}

  /** The call records whose from/to is one of the forms of one of these numbers. */
  private async calls(em: EntityManager, numbers: string[]): Promise<CallRow[]> {
    const keys = [...new Set(numbers.flatMap((n) => callNumberForms(n)))];
    if (keys.length === 0) return [];
    return em.find(CallRow, { where: [{ fromExt: In(keys) }, { toExt: In(keys) }], order: { startedAt: 'ASC' } });
  }

  async export(id: string): Promise<PersonalData> {
    const em = this.store.ds.manager;
    const customer = await this.customers.get(id, em);
    const cid = customer.id;
    const notes = await em.find(CustomerNoteRow, { where: { customerId: cid }, order: { id: 'ASC' } });
    const tickets = await em.find(TicketRow, { where: { customerId: cid }, order: { id: 'ASC' } });
    const ticketIds = tickets.map((x) => x.id);
    const comments = ticketIds.length ? await em.find(TicketCommentRow, { where: { ticketId: In(ticketIds) }, order: { id: 'ASC' } }) : [];
    const history = ticketIds.length ? await em.find(TicketHistoryRow, { where: { ticketId: In(ticketIds) }, order: { id: 'ASC' } }) : [];
    const attachments = ticketIds.length ? await em.find(TicketAttachmentRow, { where: { ticketId: In(ticketIds) }, order: { id: 'ASC' } }) : [];
    const calls = await this.calls(em, customer.phones.map((p) => p.number));
    const legs = calls.length ? await em.find(CallLegRow, { where: { callId: In(calls.map((c) => c.id)) }, order: { position: 'ASC' } }) : [];
    const audit = await em.find(AuditRow, { where: { subjectType: 'customer', subjectId: String(cid) }, order: { id: 'ASC' } });
    const events = await em.find(EventRow, { where: { subjectType: 'customer', subjectId: String(cid) }, order: { id: 'ASC' } });
    return {
      customer,
      notes,
      tickets: tickets.map((ticket) => ({
        ticket, comments: comments.filter((c) => c.ticketId === ticket.id), history: history.filter((h) => h.ticketId === ticket.id),
        attachments: attachments.filter((a) => a.ticketId === ticket.id),
      })),
      calls: calls.map((call) => ({ call, legs: legs.filter((l) => l.callId === call.id) })),
      audit: audit.map((a) => ({ ...a, id: String(a.id) })),
      events: events.map((e) => ({ ...e, id: String(e.id) })),
    };
  }

  async erase(tx: WriteContext, actor: Actor, id: string): Promise<EraseReport> {
    const em = tx.em;
    const customer = await this.customers.get(id, em);
    const cid = customer.id;
    const needles: Needle[] = [];
    const add = (text: string, replacement: string) => {
      const t = text.trim();
      // Very short texts (a one-letter name) would wipe unrelated data; they cannot identify anyone alone.
      if (t.length < 3) return;
      for (const form of new Set([t, JSON.stringify(t).slice(1, -1)])) needles.push({ text: form, replacement });
    };
    add(customer.name, ERASED);
    for (const e of customer.emails) add(e, ERASED);
    for (const p of customer.phones) for (const f of callNumberForms(p.number)) add(f, numberPlaceholder(p.number));
    // Longest first: `+14155550100` before its suffix `4155550100`.
    needles.sort((a, b) => b.text.length - a.text.length);
    const changed: Record<string, number> = {};
    const count = (table: string, n: number) => { if (n > 0) changed[table] = (changed[table] ?? 0) + n; };

    // Calls first: found by exact number match before any text is replaced.
    const calls = await this.calls(em, customer.phones.map((p) => p.number));

    const tickets = await em.find(TicketRow, { where: { customerId: cid } });
    const ticketIds = tickets.map((x) => x.id);
    if (ticketIds.length) {
      await em.update(TicketRow, { id: In(ticketIds) }, { subject: ERASED, description: ERASED, customerId: null });
      count('tickets', ticketIds.length);
      const r = await em.update(TicketCommentRow, { ticketId: In(ticketIds) }, { text: ERASED });
      count('ticket_comments', r.affected ?? 0);
      // History of these tickets: values of text fields, attachments (file names) and the customer link carry personal data.
      const hist = await em.find(TicketHistoryRow, { where: { ticketId: In(ticketIds), field: In(['subject', 'description', 'customer', 'customerId', 'attachment']) } });
      for (const h of hist) {
        h.before = h.before === null ? null : ERASED;
        h.after = h.after === null ? null : ERASED;
      }
      if (hist.length) await em.save(TicketHistoryRow, hist);
      count('ticket_history', hist.length);
      const files = await em.find(TicketAttachmentRow, { where: { ticketId: In(ticketIds) }, select: { id: true, sha256: true } });
      if (files.length) {
        await em.delete(TicketAttachmentRow, { id: In(files.map((f) => f.id)) });
        this.files.releaseAfterCommit(tx, this.store.writer, files.map((f) => f.sha256));
      }
      count('ticket_attachments', files.length);
    }
    for (const entity of [CustomerPhoneRow, CustomerEmailRow, CustomerNoteRow]) {
      const r = await em.delete(entity, { customerId: cid });
      count(em.connection.getMetadata(entity).tableName, r.affected ?? 0);
    }
    await em.delete(CustomerRow, { id: cid });
    count('customers', 1);

    if (calls.length) {
      const forms = new Map<string, string>();
      for (const p of customer.phones) for (const f of callNumberForms(p.number)) forms.set(f, numberPlaceholder(p.number));
      for (const c of calls) {
        await em.update(CallRow, { id: c.id }, { fromExt: forms.get(c.fromExt) ?? c.fromExt, toExt: forms.get(c.toExt) ?? c.toExt });
      }
      count('calls', calls.length);
    }

    // The customer's own audit and event entries (created, updated, notes): keep who did what and when,
    // drop the states, which hold everything including custom fields and tags.
    const subject = { subjectType: 'customer', subjectId: String(cid) };
    const cleared = await em.createQueryBuilder().update(AuditRow).set({ before: () => 'NULL', after: () => 'NULL' })
      .where('subject_type = :subjectType AND subject_id = :subjectId', subject).execute();
    count('audit_log', cleared.affected ?? 0);
    const evs = await em.find(EventRow, { where: subject, select: { id: true, payload: true } });
    for (const e of evs) await em.update(EventRow, { id: e.id }, { payload: { ...(typeof e.payload.by === 'string' ? { by: e.payload.by } : {}), erased: true } });
    count('events', evs.length);

    // Wherever else the data may have been copied.
    const targets: Array<[EntityTarget<object>, string[]]> = [
      [CustomerNoteRow, ['text']],
      [TicketRow, ['subject', 'description']],
      [TicketCommentRow, ['text']],
      [TicketHistoryRow, ['before', 'after']],
      [CallRow, ['fromExt', 'toExt', 'reason']],
      [CallLegRow, ['contact']],
      [AuditRow, ['before', 'after']],
      [EventRow, ['payload']],
    ];
    for (const [entity, props] of targets) count(em.connection.getMetadata(entity).tableName, await scrub(em, entity, props, needles));

    await em.save(AuditRow, em.create(AuditRow, {
      at: new Date(), actorUserId: actor.userId, actorName: actor.name, source: actor.source.slice(0, 64), action: 'customer.erased',
      subjectType: 'customer', subjectId: String(cid), before: null, after: { changed },
    }));
    return { customerId: cid, changed };
  }
}

/**
 * Replace every needle in the given columns of every row of `entity` that contains one (raw SQL on the
 * stored text, so JSON columns are treated as their text). Returns the number of rows changed.
 */
async function scrub(em: EntityManager, entity: EntityTarget<object>, props: string[], needles: Needle[]): Promise<number> {
  if (needles.length === 0) return 0;
  const meta = em.connection.getMetadata(entity);
  const d = em.connection.driver;
  const cols = props.map((p) => meta.findColumnWithPropertyName(p)!.databaseName);
  const pk = meta.primaryColumns[0]!.databaseName;
  const conds: string[] = [];
  const params: string[] = [];
  for (const c of cols) {
    for (const n of needles) {
      conds.push(`${d.escape(c)} LIKE ? ${LIKE_ESCAPE}`);
      params.push(`%${n.text.replace(/[!%_]/g, '!$&')}%`);
    }
  }
  const rows = (await em.query(
    `SELECT ${[pk, ...cols].map((c) => d.escape(c)).join(', ')} FROM ${d.escape(meta.tableName)} WHERE ${conds.join(' OR ')}`,
    params,
  )) as Array<Record<string, unknown>>;
  const patterns = needles.map((n) => ({ re: new RegExp(escapeRegExp(n.text), 'gi'), replacement: n.replacement }));
  let changedRows = 0;
  for (const row of rows) {
    const sets: string[] = [];
    const values: unknown[] = [];
    for (const c of cols) {
      const v = row[c];
      if (typeof v !== 'string') continue;
      let out = v;
      for (const p of patterns) out = out.replace(p.re, p.replacement);
      if (out !== v) {
        sets.push(`${d.escape(c)} = ?`);
        values.push(out);
      }
    }
    if (sets.length === 0) continue;
    await em.query(`UPDATE ${d.escape(meta.tableName)} SET ${sets.join(', ')} WHERE ${d.escape(pk)} = ?`, [...values, row[pk]]);
    changedRows++;
  }
  return changedRows;
}
