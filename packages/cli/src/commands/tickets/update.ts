import type { Ticket } from '@hotline/server/client';
import { Args, Flags } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { defined, requireSome } from '../../flags.js';
import { PRIORITIES, ticketRecord } from '../../tickets.js';

export default class TicketsUpdate extends HotlineCommand<typeof TicketsUpdate> {
  static override description = 'Change a ticket (status and assignee have their own commands)';
  static override examples = ['<%= config.bin %> tickets update 7 --priority urgent --tag billing --tag refund', '<%= config.bin %> tickets update 7 --clear-group'];
  static override args = { id: Args.string({ description: 'ticket id', required: true }) };
  static override flags = {
    subject: Flags.string({ description: 'subject' }),
    description: Flags.string({ description: 'description' }),
    customer: Flags.integer({ description: 'customer id', min: 1 }),
    priority: Flags.string({ description: 'priority', options: [...PRIORITIES] }),
    group: Flags.string({ description: 'group (queue name)' }),
    tag: Flags.string({ description: 'tag (repeatable; replaces all tags)', multiple: true }),
    'clear-customer': Flags.boolean({ description: 'unlink the customer', exclusive: ['customer'] }),
    'clear-group': Flags.boolean({ description: 'remove the group', exclusive: ['group'] }),
  };

  async run(): Promise<Ticket> {
    const f = this.flags;
    const patch = defined({
      subject: f.subject, description: f.description, priority: f.priority as Ticket['priority'] | undefined, tags: f.tag,
      customerId: f['clear-customer'] ? null : f.customer, group: f['clear-group'] ? null : f.group,
    });
    requireSome(patch, '--subject, --description, --customer, --priority, --group, --tag, --clear-customer, --clear-group');
    const t = await this.client().tickets.update(this.args.id, patch);
    this.record(ticketRecord(t));
    return t;
  }
}
