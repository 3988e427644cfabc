import { Args, Flags } from '@oclif/core';
import { HotlineCommand } from '../../../base.js';
import { writeDownload } from '../../../files.js';

export default class TicketsAttachmentsDownload extends HotlineCommand<typeof TicketsAttachmentsDownload> {
  static override description = 'Download a file attached to a ticket (checked against its SHA-256)';
  static override examples = ['<%= config.bin %> tickets attachments download 7 3 --out invoice.pdf'];
  static override args = {
    id: Args.string({ description: 'ticket id', required: true }),
    attachment: Args.string({ description: 'attachment id (see tickets attachments list)', required: true }),
  };
  static override flags = { out: Flags.string({ char: 'o', description: 'file to write (default: the stored name in the current directory)' }) };

  async run(): Promise<{ file: string; size: number; sha256: string }> {
    const r = await writeDownload(await this.client().tickets.attachments.download(this.args.id, this.args.attachment), this.flags.out);
    this.note(`wrote ${r.file} (${r.size} bytes)`);
    return r;
  }
}
