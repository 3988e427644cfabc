import type { Ticket } from '@hotline/server/client';
import { Args, Flags } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { defined, usageError } from '../../flags.js';
import { CHANNELS, PRIORITIES, ticketRecord } from '../../tickets.js';

export default class TicketsCreate extends HotlineCommand<typeof TicketsCreate> {
  static override description = 'Create a ticket (status new; an SLA policy for its priority starts its clocks)';
  static override examples = [
    '<%= config.bin %> tickets create "Refund request" --customer 42 --priority high --tag billing',
    '<%= config.bin %> tickets create "Called about delivery" --call 3f0c6a1e-... --assignee 1001 --group support',
    '<%= config.bin %> tickets create --call 3f0c6a1e-...',
  ];
  static override args = { subject: Args.string({ description: 'subject (optional with --call: "Call from <number>")' }) };
  static override flags = {
    description: Flags.string({ description: 'description' }),
    customer: Flags.integer({ description: 'customer id', min: 1 }),
    channel: Flags.string({ description: 'how the request came in (default: phone with --call, else manual)', options: [...CHANNELS] }),
    priority: Flags.string({ description: 'priority (default normal)', options: [...PRIORITIES] }),
    assignee: Flags.string({ description: 'extension of the agent to assign' }),
    group: Flags.string({ description: 'group (queue name)' }),
    tag: Flags.string({ description: 'tag (repeatable)', multiple: true }),
    call: Flags.string({ description: 'id of the call this ticket comes from (channel phone; the customer whose phone matches the call\'s number, if exactly one)' }),
  };

  async run(): Promise<Ticket> {
    const f = this.flags;
    if (this.args.subject === undefined && f.call === undefined) throw usageError('give a subject, or --call to create the ticket from a call');
    const t = await this.client().tickets.create({
      ...defined({
        subject: this.args.subject, description: f.description, customerId: f.customer, channel: f.channel as Ticket['channel'] | undefined, priority: f.priority as Ticket['priority'] | undefined,
        assignee: f.assignee, group: f.group, tags: f.tag, sourceCallId: f.call,
      }),
    });
    this.record(ticketRecord(t));
    return t;
  }
}
