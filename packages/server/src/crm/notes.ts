/**
 * Notes on customers (author = the user who wrote it; audited as note.created|deleted) and the
 * interaction timeline: notes, call records and the customer's tickets (by creation), newest first.
 * Tickets are read from their table (db/entities), not through tickets/, a sibling layer.
 *
 * Call matching: call records hold what the SIP peer sent (`from`: a carrier's From user or an
 * extension; `to`: a dialled number or an extension), not E.164. A call belongs to a customer when its
 * `from` or `to` equals one of the forms of one of the customer's numbers (phone.ts#callNumberForms:
 * `+4930123456`, `4930123456`, `004930123456`, `030123456`, `30123456`). Extensions never match a
 * customer's number (they are shorter than any valid number's national form). The calls table has no
 * index on these columns yet, so the timeline scans it; calls, tickets and messages get normalized,
 * indexed number columns in a later issue.
 */
import { In } from 'typeorm';
import { CallRow, CustomerNoteRow, CustomerPhoneRow, TicketRow } from '../db/entities/index.js';
import type { WriteContext } from '../db/writer.js';
import { Forbidden, NotFound } from '../errors.js';
import { recordChange, type Actor, type Store } from '../events/changes.js';
import type { Customers } from './customers.js';
import { callNumberForms } from './phone.js';
import type { Note, NoteInput, TimelineItem } from './schemas.js';

export function noteDto(r: CustomerNoteRow): Note {
  return { id: r.id, customerId: r.customerId, author: r.author, text: r.text, createdAt: r.createdAt.toISOString() };
}

export class Notes {
  constructor(
    private readonly store: Store,
    private readonly customers: Customers,
  ) {}

  /** Newest first. */
  async list(customerId: string): Promise<Note[]> {
    const c = await this.customers.row(customerId);
    return (await this.store.ds.manager.find(CustomerNoteRow, { where: { customerId: c.id }, order: { createdAt: 'DESC', id: 'DESC' } })).map(noteDto);
  }

  async add(tx: WriteContext, actor: Actor, customerId: string, input: NoteInput): Promise<Note> {
    const c = await this.customers.row(customerId, tx.em);
    const row = tx.em.create(CustomerNoteRow, { customerId: c.id, author: actor.name, text: input.text, createdAt: new Date() });
    await tx.em.save(CustomerNoteRow, row);
    const after = noteDto(row);
    await recordChange(this.store.events, tx, actor, { type: 'note.created', subjectType: 'customer', subjectId: String(c.id), after });
    return after;
  }

  /** `mayDeleteOthers`: roles that manage customers; others delete only their own notes. */
  async delete(tx: WriteContext, actor: Actor, customerId: string, noteId: string, mayDeleteOthers: boolean): Promise<void> {
    const c = await this.customers.row(customerId, tx.em);
    const row = await tx.em.findOne(CustomerNoteRow, { where: { id: parseNoteId(noteId), customerId: c.id } });
    if (!row) throw new NotFound('note', noteId);
    if (!mayDeleteOthers && row.author !== actor.name) throw new Forbidden(`role ${actor.role} may delete only its own notes (this one is by ${row.author})`);
    await tx.em.delete(CustomerNoteRow, { id: row.id });
    await recordChange(this.store.events, tx, actor, { type: 'note.deleted', subjectType: 'customer', subjectId: String(c.id), before: noteDto(row) });
  }

  /** Notes, matching calls and tickets, newest first, at most `limit` items. */
  async timeline(customerId: string, limit = 200): Promise<TimelineItem[]> {
    const em = this.store.ds.manager;
    const c = await this.customers.row(customerId);
    const notes = await em.find(CustomerNoteRow, { where: { customerId: c.id }, order: { createdAt: 'DESC', id: 'DESC' }, take: limit });
    const items: TimelineItem[] = notes.map((n) => ({ kind: 'note', at: n.createdAt.toISOString(), id: String(n.id), summary: `note by ${n.author}`, note: noteDto(n) }));
    const forms = new Map<string, string>();
    for (const p of await em.find(CustomerPhoneRow, { where: { customerId: c.id } })) for (const f of callNumberForms(p.number)) forms.set(f, p.number);
    if (forms.size) {
      const keys = [...forms.keys()];
      const calls = await em.find(CallRow, { where: [{ fromExt: In(keys) }, { toExt: In(keys) }], order: { startedAt: 'DESC' }, take: limit });
      for (const call of calls) {
        const inbound = forms.has(call.fromExt);
        const matched = forms.get(inbound ? call.fromExt : call.toExt)!;
        items.push({
          kind: 'call', at: call.startedAt.toISOString(), id: call.id,
          summary: `${inbound ? 'call from' : 'call to'} ${matched}: ${call.answeredAt ? 'answered' : call.state === 'ended' ? 'not answered' : call.state}`,
          call: {
            id: call.id, from: call.fromExt, to: call.toExt, direction: call.direction, state: call.state, status: call.status,
            answeredAt: call.answeredAt?.toISOString() ?? null, endedAt: call.endedAt?.toISOString() ?? null, matched,
          },
        });
      }
    }
    const tickets = await em.find(TicketRow, { where: { customerId: c.id }, order: { createdAt: 'DESC', id: 'DESC' }, take: limit });
    for (const t of tickets) {
      items.push({
        kind: 'ticket', at: t.createdAt.toISOString(), id: String(t.id), summary: `ticket #${t.id} (${t.status}): ${t.subject}`,
        ticket: {
          id: t.id, subject: t.subject, status: t.status, priority: t.priority, channel: t.channel, sourceCallId: t.sourceCallId, createdAt: t.createdAt.toISOString(),
        },
      });
    }
    return items.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0)).slice(0, limit);
  }
}

function parseNoteId(id: string): number {
  if (!/^[1-9][0-9]{0,9}$/.test(id)) throw new NotFound('note', id);
  return Number(id);
}
