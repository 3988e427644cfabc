import type { Rule } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { ruleRecord } from './create.js';

export default class RulesShow extends HotlineCommand<typeof RulesShow> {
  static override description = 'Show a workflow rule';
  static override examples = ['<%= config.bin %> rules show urgent-to-alice', '<%= config.bin %> rules show 3 --json'];
  static override args = { rule: Args.string({ description: 'rule id or name', required: true }) };

  async run(): Promise<Rule> {
    const r = await this.client().rules.get(this.args.rule);
    this.record(ruleRecord(r));
    return r;
  }
}
