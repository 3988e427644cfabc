import { Args } from '@oclif/core';
import { HotlineCommand } from '../../../base.js';

export default class TicketsAttachmentsDelete extends HotlineCommand<typeof TicketsAttachmentsDelete> {
  static override description = 'Delete a ticket attachment (agents: only their own uploads); the file goes when nothing else references it';
  static override examples = ['<%= config.bin %> tickets attachments delete 7 3'];
  static override args = {
    id: Args.string({ description: 'ticket id', required: true }),
    attachment: Args.string({ description: 'attachment id', required: true }),
  };

  async run(): Promise<{ deleted: string; ticket: string }> {
    await this.client().tickets.attachments.delete(this.args.id, this.args.attachment);
    this.note(`deleted attachment ${this.args.attachment} of ticket ${this.args.id}`);
    return { deleted: this.args.attachment, ticket: this.args.id };
  }
}
