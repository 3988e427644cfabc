import { ApiError, type CallInfo, type SlaTarget, type Ticket, type TicketAttachment, type TicketComment } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { callLine, ticketRecord } from '../../tickets.js';

export default class TicketsShow extends HotlineCommand<typeof TicketsShow> {
  static override description = 'Show a ticket with its source call, attachments, comments and SLA clocks (the call only for roles that read call records)';
  static override examples = ['<%= config.bin %> tickets show 7', '<%= config.bin %> tickets show 7 --json'];
  static override args = { id: Args.string({ description: 'ticket id', required: true }) };

  async run(): Promise<Ticket & { call: CallInfo | null; attachments: TicketAttachment[]; comments: TicketComment[]; sla: SlaTarget[] }> {
    const client = this.client();
    const [ticket, comments, sla, attachments] = await Promise.all([
      client.tickets.get(this.args.id), client.tickets.comments(this.args.id), client.tickets.sla(this.args.id), client.tickets.attachments.list(this.args.id),
    ]);
    // Agents may read tickets but not call records: the ticket still shows the call's id.
    const call = ticket.sourceCallId === null ? null
      : await client.calls.get(ticket.sourceCallId).catch((err: unknown) => (err instanceof ApiError && (err.status === 403 || err.status === 404) ? null : Promise.reject(err)));
    this.record([
      ...ticketRecord(ticket),
      ...(call ? [['call', callLine(call)] as [string, unknown]] : []),
      ...attachments.map((a): [string, unknown] => [`attachment ${a.id}`, `${a.name} (${a.contentType}, ${a.size} bytes) by ${a.createdBy}`]),
      ...sla.map((s): [string, unknown] => [`sla ${s.target}`, `due ${s.dueAt}${s.paused ? ' (paused)' : ''}${s.metAt ? `, met ${s.metAt}` : ''}${s.breachedAt ? `, BREACHED ${s.breachedAt}` : ''}`]),
      ...comments.map((c): [string, unknown] => [`comment ${c.id}`, `${c.createdAt} ${c.author}${c.fromCustomer ? ' (customer)' : c.public ? ' (public)' : ' (internal)'}: ${c.text}`]),
    ]);
    return { ...ticket, call, attachments, comments, sla };
  }
}
