import type { Article } from '@hotline/server/client';
import { Args, Flags } from '@oclif/core';
import { HotlineCommand } from '../../../base.js';
import { readUpload } from '../../../files.js';

export default class KbAttachmentsUpload extends HotlineCommand<typeof KbAttachmentsUpload> {
  static override description = 'Upload the file of an attachment article (stored by SHA-256; size bounded by the server\'s http.bodyLimit)';
  static override examples = ['<%= config.bin %> kb attachments upload 9 ./manual.pdf'];
  static override args = {
    id: Args.string({ description: 'attachment article id', required: true }),
    file: Args.string({ description: 'file to upload', required: true }),
  };
  static override flags = { type: Flags.string({ description: 'content type (default: from the extension)' }) };

  async run(): Promise<Article> {
    const a = await this.client().kb.articles.upload(this.args.id, await readUpload(this.args.file, this.flags.type));
    this.note(`uploaded ${a.attachment!.name}: ${a.attachment!.size} bytes, sha256 ${a.attachment!.sha256}`);
    return a;
  }
}
