import type { Article } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { HotlineCommand } from '../../../base.js';
import { articleRecord } from '../../../kb.js';

export default class KbArticlesPublish extends HotlineCommand<typeof KbArticlesPublish> {
  static override description = 'Publish an article: draft -> review -> published (each step audited)';
  static override examples = ['<%= config.bin %> kb articles publish 12'];
  static override args = { id: Args.string({ description: 'article id', required: true }) };

  async run(): Promise<Article> {
    const kb = this.client().kb;
    let a = await kb.articles.get(this.args.id);
    if (a.status === 'draft') a = await kb.articles.setStatus(a.id, 'review');
    if (a.status !== 'published') a = await kb.articles.setStatus(a.id, 'published');
    this.record(articleRecord(a));
    return a;
  }
}
