/**
 * Files attached to tickets: upload (base64 in JSON, bounded by http.bodyLimit), list, download,
 * delete. The bytes live once in the server's file store (db/files.ts, shared with the KB), the
 * `ticket_attachments` rows keep name, content type, size, SHA-256, uploader and time. Reading follows
 * the ticket's read rule (`tickets:read`); uploading is like commenting (`tickets:write`); deleting is
 * for the uploader or callers with `tickets:manage`. Upload and delete are recorded as
 * ticket.attachment_added | ticket.attachment_deleted (audit row + event) and in the ticket's history
 * (field `attachment`); a file no row references any more is deleted after the commit.
 */
import type { FileStore } from '../db/files.js';
import { TicketAttachmentRow, TicketHistoryRow } from '../db/entities/index.js';
import type { WriteContext } from '../db/writer.js';
import { Forbidden, NotFound } from '../errors.js';
import { recordChange, type Actor, type Store } from '../events/changes.js';
import type { FileData, UploadInput } from '../kb/schemas.js';
import type { TicketAttachment } from './schemas.js';
import type { Tickets } from './tickets.js';

export function attachmentDto(r: TicketAttachmentRow): TicketAttachment {
  return { id: r.id, ticketId: r.ticketId, name: r.name, contentType: r.contentType, size: r.size, sha256: r.sha256, createdBy: r.createdBy, createdAt: r.createdAt.toISOString() };
}

type Write = <T>(fn: (tx: WriteContext, actor: Actor) => Promise<T>) => Promise<T>;

export class TicketAttachments {
  constructor(
    private readonly store: Store,
    private readonly tickets: Tickets,
    private readonly files: FileStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Oldest first. */
  async list(ticketId: string): Promise<TicketAttachment[]> {
    const t = await this.tickets.row(ticketId);
    return (await this.store.ds.manager.find(TicketAttachmentRow, { where: { ticketId: t.id }, order: { id: 'ASC' } })).map(attachmentDto);
  }

  /**
   * Store the file first (content-addressed, idempotent, outside the writer), then record it in the
   * write transaction, storing it again there if a release of the same bytes removed it meanwhile.
   */
  async upload(write: Write, ticketId: string, input: UploadInput): Promise<TicketAttachment> {
    await this.tickets.row(ticketId);
    const { sha256, size } = await this.files.put(input.base64);
    return write(async (tx, actor) => {
      const t = await this.tickets.row(ticketId, tx.em);
      if (!(await this.files.has(sha256))) await this.files.put(input.base64);
      const now = this.now();
      const row = tx.em.create(TicketAttachmentRow, {
        ticketId: t.id, name: input.name, contentType: input.contentType, size, sha256, createdBy: actor.name, createdAt: now,
      });
      await tx.em.save(TicketAttachmentRow, row);
      const after = attachmentDto(row);
      await this.history(tx, actor, t.id, null, { id: row.id, name: row.name, sha256 }, now);
      await recordChange(this.store.events, tx, actor, { type: 'ticket.attachment_added', subjectType: 'ticket', subjectId: String(t.id), after, agentId: t.assignee });
      return after;
    });
  }

  async download(ticketId: string, attachmentId: string): Promise<FileData> {
    const a = await this.row(ticketId, attachmentId);
    const data = await this.files.get(a.sha256);
    return { name: a.name, contentType: a.contentType, size: data.length, sha256: a.sha256, base64: data.toString('base64') };
  }

  /** `manage`: callers with tickets:manage delete any attachment, others only their own uploads. */
  async delete(tx: WriteContext, actor: Actor, ticketId: string, attachmentId: string, manage: boolean): Promise<void> {
    const a = await this.row(ticketId, attachmentId, tx);
    if (!manage && a.createdBy !== actor.name) throw new Forbidden(`role ${actor.role} may delete only its own attachments (this one is by ${a.createdBy})`);
    await tx.em.delete(TicketAttachmentRow, { id: a.id });
    const before = attachmentDto(a);
    await this.history(tx, actor, a.ticketId, { id: a.id, name: a.name, sha256: a.sha256 }, null, this.now());
    await recordChange(this.store.events, tx, actor, { type: 'ticket.attachment_deleted', subjectType: 'ticket', subjectId: String(a.ticketId), before });
    this.files.releaseAfterCommit(tx, this.store.writer, [a.sha256]);
  }

  private async row(ticketId: string, attachmentId: string, tx?: WriteContext): Promise<TicketAttachmentRow> {
    const t = await this.tickets.row(ticketId, tx?.em);
    const id = /^[1-9][0-9]{0,9}$/.test(attachmentId) ? Number(attachmentId) : NaN;
    const a = Number.isSafeInteger(id) ? await (tx?.em ?? this.store.ds.manager).findOne(TicketAttachmentRow, { where: { id, ticketId: t.id } }) : null;
    if (!a) throw new NotFound('attachment', attachmentId);
    return a;
  }

  private async history(tx: WriteContext, actor: Actor, ticketId: number, before: unknown, after: unknown, at: Date): Promise<void> {
    await tx.em.save(TicketHistoryRow, tx.em.create(TicketHistoryRow, { ticketId, field: 'attachment', before, after, actor: actor.name, at }));
  }
}
