import { Args, Flags } from '@oclif/core';
import { HotlineCommand } from '../../../base.js';
import { writeDownload } from '../../../files.js';

export default class KbAttachmentsDownload extends HotlineCommand<typeof KbAttachmentsDownload> {
  static override description = 'Download the file of an attachment article (checked against its SHA-256)';
  static override examples = ['<%= config.bin %> kb attachments download 9 --out manual.pdf'];
  static override args = { id: Args.string({ description: 'attachment article id', required: true }) };
  static override flags = { out: Flags.string({ char: 'o', description: 'file to write (default: the stored name in the current directory)' }) };

  async run(): Promise<{ file: string; size: number; sha256: string }> {
    const r = await writeDownload(await this.client().kb.articles.download(this.args.id), this.flags.out);
    this.note(`wrote ${r.file} (${r.size} bytes)`);
    return r;
  }
}
