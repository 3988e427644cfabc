import type { Version } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { HotlineCommand } from '../../../base.js';

export default class KbArticlesHistory extends HotlineCommand<typeof KbArticlesHistory> {
  static override description = 'Version history of an article, newest first';
  static override examples = ['<%= config.bin %> kb articles history 12'];
  static override args = { id: Args.string({ description: 'article id', required: true }) };

  async run(): Promise<Version[]> {
    const versions = await this.client().kb.articles.versions(this.args.id);
    this.table(versions, [
      { header: 'version', get: (v) => v.version },
      { header: 'at', get: (v) => v.createdAt },
      { header: 'author', get: (v) => v.author },
      { header: 'note', get: (v) => v.note || '-' },
      { header: 'title', get: (v) => v.title },
    ]);
    return versions;
  }
}
