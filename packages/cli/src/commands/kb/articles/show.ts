import type { Article } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { HotlineCommand } from '../../../base.js';
import { articleRecord } from '../../../kb.js';

export default class KbArticlesShow extends HotlineCommand<typeof KbArticlesShow> {
  static override description = 'Show a knowledge base article';
  static override examples = ['<%= config.bin %> kb articles show 12', '<%= config.bin %> kb articles show 12 --json'];
  static override args = { id: Args.string({ description: 'article id', required: true }) };

  async run(): Promise<Article> {
    const a = await this.client().kb.articles.get(this.args.id);
    this.record(articleRecord(a));
    return a;
  }
}
