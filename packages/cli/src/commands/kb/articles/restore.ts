import type { Article } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { HotlineCommand } from '../../../base.js';
import { articleRecord } from '../../../kb.js';

export default class KbArticlesRestore extends HotlineCommand<typeof KbArticlesRestore> {
  static override description = 'Restore an old version of an article (saved as a new version)';
  static override examples = ['<%= config.bin %> kb articles restore 12 1'];
  static override args = {
    id: Args.string({ description: 'article id', required: true }),
    version: Args.integer({ description: 'version to restore', required: true, min: 1 }),
  };

  async run(): Promise<Article> {
    const a = await this.client().kb.articles.restore(this.args.id, this.args.version);
    this.record(articleRecord(a));
    return a;
  }
}
