import type { Rule } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { HotlineCommand } from '../../base.js';

export default class RulesEnable extends HotlineCommand<typeof RulesEnable> {
  static override description = 'Enable a workflow rule';
  static override examples = ['<%= config.bin %> rules enable urgent-to-alice'];
  static override args = { rule: Args.string({ description: 'rule id or name', required: true }) };

  async run(): Promise<Rule> {
    const r = await this.client().rules.enable(this.args.rule);
    this.note(`rule ${r.name} ${r.enabled ? 'enabled' : 'disabled'}`);
    return r;
  }
}
