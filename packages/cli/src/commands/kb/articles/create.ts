import type { Article } from '@hotline/server/client';
import { Flags } from '@oclif/core';
import { HotlineCommand } from '../../../base.js';
import { defined, usageError } from '../../../flags.js';
import { articleFlags, articleRecord, KB_KINDS, readBody } from '../../../kb.js';

export default class KbArticlesCreate extends HotlineCommand<typeof KbArticlesCreate> {
  static override description = 'Create a knowledge base article (as a draft unless --status; KB editors only)';
  static override examples = [
    '<%= config.bin %> kb articles create --kind faq --title "Refunds" --question "How do I get a refund?" --body "Within 14 days." --category billing',
    '<%= config.bin %> kb articles create --kind phrase --title Greeting --body "Hello {{customer.name}}, this is {{agent.name}}."',
    '<%= config.bin %> kb articles create --kind promotion --title "Winter sale" --body "20% off" --valid-until 2026-03-01',
  ];
  static override flags = {
    kind: Flags.string({ description: 'article kind', options: [...KB_KINDS], default: 'knowledge' }),
    ...articleFlags,
    status: Flags.string({ description: 'initial status', options: ['draft', 'review', 'published'] }),
  };

  async run(): Promise<Article> {
    const f = this.flags;
    if (!f.title) throw usageError('--title is required');
    const a = await this.client().kb.articles.create({
      kind: f.kind as Article['kind'], title: f.title,
      ...defined({
        body: await readBody(f.body), question: f.question, url: f.url, category: f.category, tags: f.tag,
        visibility: f.visibility as Article['visibility'] | undefined, validFrom: f['valid-from'], validUntil: f['valid-until'], note: f.note,
        status: f.status as Article['status'] | undefined,
      }),
    });
    this.record(articleRecord(a));
    return a;
  }
}
