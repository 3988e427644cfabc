import type { Article } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { HotlineCommand } from '../../../base.js';
import { articleRecord, KB_STATUSES } from '../../../kb.js';

export default class KbArticlesStatus extends HotlineCommand<typeof KbArticlesStatus> {
  static override description = 'Move an article one step: draft -> review -> published -> archived (review -> draft, published -> draft, archived -> draft)';
  static override examples = ['<%= config.bin %> kb articles status 12 review', '<%= config.bin %> kb articles status 12 archived'];
  static override args = {
    id: Args.string({ description: 'article id', required: true }),
    status: Args.string({ description: 'new status', required: true, options: [...KB_STATUSES] }),
  };

  async run(): Promise<Article> {
    const a = await this.client().kb.articles.setStatus(this.args.id, this.args.status as Article['status']);
    this.record(articleRecord(a));
    return a;
  }
}
