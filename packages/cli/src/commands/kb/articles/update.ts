import type { Article } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { HotlineCommand } from '../../../base.js';
import { defined, usageError } from '../../../flags.js';
import { articleFlags, articleRecord, readBody } from '../../../kb.js';

export default class KbArticlesUpdate extends HotlineCommand<typeof KbArticlesUpdate> {
  static override description = 'Update a knowledge base article (saved as a new version)';
  static override examples = ['<%= config.bin %> kb articles update 12 --body "New text" --note "clarified"', 'cat body.md | <%= config.bin %> kb articles update 12 --body -'];
  static override args = { id: Args.string({ description: 'article id', required: true }) };
  static override flags = articleFlags;

  async run(): Promise<Article> {
    const f = this.flags;
    const patch = defined({
      title: f.title, body: await readBody(f.body), question: f.question, url: f.url, category: f.category, tags: f.tag,
      visibility: f.visibility as Article['visibility'] | undefined, validFrom: f['valid-from'], validUntil: f['valid-until'], note: f.note,
    });
    if (!Object.keys(patch).some((k) => k !== 'note')) throw usageError('nothing to update: give at least one of --title, --body, --question, --url, --category, --tag, --visibility, --valid-from, --valid-until');
    const a = await this.client().kb.articles.update(this.args.id, patch);
    this.record(articleRecord(a));
    return a;
  }
}
