import type { SearchResult } from '@hotline/server/client';
import { Args, Flags } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { hitColumns, KB_KINDS } from '../../kb.js';

export default class KbSearch extends HotlineCommand<typeof KbSearch> {
  static override description = 'Search the knowledge base (Chinese and English); matches are marked « »';
  static override examples = ['<%= config.bin %> kb search 退款', '<%= config.bin %> kb search "refund policy" --limit 5 --json'];
  static override args = { query: Args.string({ description: 'words to find (all must match)', required: true }) };
  static override flags = {
    kind: Flags.string({ description: 'only this kind', options: [...KB_KINDS] }),
    category: Flags.string({ description: 'only this category (with its subtree)' }),
    limit: Flags.integer({ description: 'hits, 1-100', default: 20, min: 1, max: 100 }),
  };

  async run(): Promise<SearchResult> {
    const f = this.flags;
    const r = await this.client().kb.search({ q: this.args.query, limit: f.limit, category: f.category, kind: f.kind as never });
    this.table(r.hits, hitColumns, '(no matches)');
    return r;
  }
}
