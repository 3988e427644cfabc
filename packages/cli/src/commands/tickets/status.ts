import type { Ticket } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { STATUSES, ticketRecord } from '../../tickets.js';

export default class TicketsStatus extends HotlineCommand<typeof TicketsStatus> {
  static override description = 'Change the status of a ticket: new -> open -> pending -> resolved -> closed (resolved may reopen; closed is final)';
  static override examples = ['<%= config.bin %> tickets status 7 open', '<%= config.bin %> tickets status 7 resolved --json'];
  static override args = {
    id: Args.string({ description: 'ticket id', required: true }),
    status: Args.string({ description: 'new status', required: true, options: [...STATUSES] }),
  };

  async run(): Promise<Ticket> {
    const t = await this.client().tickets.setStatus(this.args.id, this.args.status as Ticket['status']);
    this.record(ticketRecord(t));
    return t;
  }
}
