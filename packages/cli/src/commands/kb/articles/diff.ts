import type { Diff } from '@hotline/server/client';
import { Args, Flags } from '@oclif/core';
import { HotlineCommand } from '../../../base.js';

export default class KbArticlesDiff extends HotlineCommand<typeof KbArticlesDiff> {
  static override description = 'Line diff between two versions of an article (default: --from to the current version)';
  static override examples = ['<%= config.bin %> kb articles diff 12 --from 1', '<%= config.bin %> kb articles diff 12 --from 1 --to 3 --json'];
  static override args = { id: Args.string({ description: 'article id', required: true }) };
  static override flags = {
    from: Flags.integer({ description: 'older version', required: true, min: 1 }),
    to: Flags.integer({ description: 'newer version (default: current)', min: 1 }),
  };

  async run(): Promise<Diff> {
    const d = await this.client().kb.articles.diff(this.args.id, this.flags.from, this.flags.to);
    if (!this.jsonEnabled()) {
      this.log(`--- version ${d.from}\n+++ version ${d.to}`);
      if (!d.fields.length) this.log('(no changes)');
      for (const f of d.fields) {
        this.log(`@@ ${f.field}`);
        for (const l of f.lines) this.log(`${l.op}${l.text}`);
      }
    }
    return d;
  }
}
