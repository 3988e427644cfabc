import type { TicketAttachment } from '@hotline/server/client';
import { Args, Flags } from '@oclif/core';
import { HotlineCommand } from '../../../base.js';
import { readUpload } from '../../../files.js';

export default class TicketsAttachmentsUpload extends HotlineCommand<typeof TicketsAttachmentsUpload> {
  static override description = 'Attach a file to a ticket (stored by SHA-256; size bounded by the server\'s http.bodyLimit)';
  static override examples = ['<%= config.bin %> tickets attachments upload 7 ./invoice.pdf'];
  static override args = {
    id: Args.string({ description: 'ticket id', required: true }),
    file: Args.string({ description: 'file to upload', required: true }),
  };
  static override flags = { type: Flags.string({ description: 'content type (default: from the extension)' }) };

  async run(): Promise<TicketAttachment> {
    const a = await this.client().tickets.attachments.upload(this.args.id, await readUpload(this.args.file, this.flags.type));
    this.note(`attached ${a.name} to ticket ${a.ticketId} as attachment ${a.id}: ${a.size} bytes, sha256 ${a.sha256}`);
    return a;
  }
}
