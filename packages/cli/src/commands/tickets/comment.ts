import type { TicketComment } from '@hotline/server/client';
import { Args, Flags } from '@oclif/core';
import { HotlineCommand } from '../../base.js';

export default class TicketsComment extends HotlineCommand<typeof TicketsComment> {
  static override description = 'Comment on a ticket: internal by default; --public answers the customer (meets response SLAs)';
  static override examples = [
    '<%= config.bin %> tickets comment 7 "Checked the invoice: charged twice"',
    '<%= config.bin %> tickets comment 7 "We refunded you today." --public',
    '<%= config.bin %> tickets comment 7 "Customer: still not refunded" --from-customer',
  ];
  static override args = {
    id: Args.string({ description: 'ticket id', required: true }),
    text: Args.string({ description: 'the comment', required: true }),
  };
  static override flags = {
    public: Flags.boolean({ description: 'visible to the customer' }),
    'from-customer': Flags.boolean({ description: 'the customer\'s reply, entered for them (starts the next-response clock)', exclusive: ['public'] }),
  };

  async run(): Promise<TicketComment> {
    const c = await this.client().tickets.comment(this.args.id, { text: this.args.text, public: this.flags.public, fromCustomer: this.flags['from-customer'] });
    this.record([['id', c.id], ['ticket', c.ticketId], ['author', c.author], ['visibility', c.fromCustomer ? 'customer reply' : c.public ? 'public' : 'internal'], ['created', c.createdAt], ['text', c.text]]);
    return c;
  }
}
