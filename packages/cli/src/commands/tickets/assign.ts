import type { Ticket } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { ticketRecord } from '../../tickets.js';

export default class TicketsAssign extends HotlineCommand<typeof TicketsAssign> {
  static override description = 'Assign a ticket to an agent, or unassign it with `none` (agents: only to themselves)';
  static override examples = ['<%= config.bin %> tickets assign 7 1001', '<%= config.bin %> tickets assign 7 none'];
  static override args = {
    id: Args.string({ description: 'ticket id', required: true }),
    assignee: Args.string({ description: 'agent extension, or none', required: true }),
  };

  async run(): Promise<Ticket> {
    const t = await this.client().tickets.assign(this.args.id, this.args.assignee === 'none' ? null : this.args.assignee);
    this.record(ticketRecord(t));
    return t;
  }
}
