import type { Article } from '@hotline/server/client';
import { Flags } from '@oclif/core';
import { HotlineCommand } from '../../../base.js';
import { articleColumns, KB_KINDS, KB_STATUSES } from '../../../kb.js';

export default class KbArticlesList extends HotlineCommand<typeof KbArticlesList> {
  static override description = 'List knowledge base articles you may read, by id (one page; --after continues)';
  static override examples = ['<%= config.bin %> kb articles list', '<%= config.bin %> kb articles list --category billing --status published --json'];
  static override flags = {
    status: Flags.string({ description: 'only this status', options: [...KB_STATUSES] }),
    kind: Flags.string({ description: 'only this kind', options: [...KB_KINDS] }),
    category: Flags.string({ description: 'category path (with its subtree)' }),
    tag: Flags.string({ description: 'only articles with this tag' }),
    limit: Flags.integer({ description: 'articles per page, 1-1000', default: 100, min: 1, max: 1000 }),
    after: Flags.integer({ description: 'only articles with a larger id', min: 0 }),
  };

  async run(): Promise<Article[]> {
    const f = this.flags;
    const page = await this.client().kb.articles.list({
      limit: f.limit, after: f.after, category: f.category, tag: f.tag,
      status: f.status as Article['status'] | undefined, kind: f.kind as Article['kind'] | undefined,
    });
    this.table(page.articles, articleColumns, '(no articles)');
    if (page.next !== null) this.note(`more: --after ${page.next}`);
    return page.articles;
  }
}
