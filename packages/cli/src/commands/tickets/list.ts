import type { Ticket } from '@hotline/server/client';
import { Flags } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { PRIORITIES, STATUSES, ticketColumns } from '../../tickets.js';

export default class TicketsList extends HotlineCommand<typeof TicketsList> {
  static override description = 'List tickets by id (one page; --after continues)';
  static override examples = [
    '<%= config.bin %> tickets list --status open',
    '<%= config.bin %> tickets list --assignee none --priority urgent --json',
    '<%= config.bin %> tickets list --customer 42 --limit 20',
  ];
  static override flags = {
    status: Flags.string({ description: 'only tickets in this status', options: [...STATUSES] }),
    assignee: Flags.string({ description: 'only tickets of this agent (extension), or `none` for unassigned' }),
    customer: Flags.integer({ description: 'only tickets of this customer id', min: 1 }),
    group: Flags.string({ description: 'only tickets of this group (queue name)' }),
    priority: Flags.string({ description: 'only tickets with this priority', options: [...PRIORITIES] }),
    tag: Flags.string({ description: 'only tickets with this tag' }),
    limit: Flags.integer({ description: 'tickets per page, 1-1000', default: 100, min: 1, max: 1000 }),
    after: Flags.integer({ description: 'only tickets with a larger id (the human output prints the next --after)', min: 0 }),
  };

  async run(): Promise<Ticket[]> {
    const f = this.flags;
    const page = await this.client().tickets.list({
      limit: f.limit, after: f.after, status: f.status as Ticket['status'] | undefined, assignee: f.assignee, customerId: f.customer, group: f.group,
      priority: f.priority as Ticket['priority'] | undefined, tag: f.tag,
    });
    this.table(page.tickets, ticketColumns, '(no tickets)');
    if (page.next !== null) this.note(`more: --after ${page.next}`);
    return page.tickets;
  }
}
