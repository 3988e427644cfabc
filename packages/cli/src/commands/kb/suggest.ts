import type { Suggestion } from '@hotline/server/client';
import { Flags } from '@oclif/core';
import { HotlineCommand } from '../../base.js';

export default class KbSuggest extends HotlineCommand<typeof KbSuggest> {
  static override description = 'Articles to suggest for a call or ticket: by queue, flow path, tags and subject (published, not expired)';
  static override examples = ['<%= config.bin %> kb suggest --queue sales --flow main/billing --tags vip,refund --subject "refund for order"', '<%= config.bin %> kb suggest --ticket 42'];
  static override flags = {
    queue: Flags.string({ description: 'queue name (matched against tags)' }),
    flow: Flags.string({ description: 'flow path, segments joined by / (each matched against tags)' }),
    tags: Flags.string({ description: 'comma-separated customer or ticket tags' }),
    subject: Flags.string({ description: 'free text, searched' }),
    ticket: Flags.string({ description: "a ticket id: its subject, tags and customer's tags join the query" }),
    limit: Flags.integer({ description: 'suggestions, 1-50', default: 10, min: 1, max: 50 }),
  };

  async run(): Promise<Suggestion[]> {
    const f = this.flags;
    const s = await this.client().kb.suggest({ queue: f.queue, flow: f.flow, tags: f.tags, subject: f.subject, ticket: f.ticket, limit: f.limit });
    this.table(s, [
      { header: 'id', get: (x) => x.article.id },
      { header: 'score', get: (x) => x.score.toFixed(3) },
      { header: 'kind', get: (x) => x.article.kind },
      { header: 'title', get: (x) => x.article.title },
      { header: 'why', get: (x) => x.reasons.join('; ') },
    ], '(no suggestions)');
    return s;
  }
}
