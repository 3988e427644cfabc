import type { TicketAttachment } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { HotlineCommand } from '../../../base.js';
import { attachmentColumns } from '../../../tickets.js';

export default class TicketsAttachmentsList extends HotlineCommand<typeof TicketsAttachmentsList> {
  static override description = 'Files attached to a ticket, oldest first';
  static override examples = ['<%= config.bin %> tickets attachments list 7', '<%= config.bin %> tickets attachments list 7 --json'];
  static override args = { id: Args.string({ description: 'ticket id', required: true }) };

  async run(): Promise<TicketAttachment[]> {
    const list = await this.client().tickets.attachments.list(this.args.id);
    this.table(list, attachmentColumns, '(no attachments)');
    return list;
  }
}
