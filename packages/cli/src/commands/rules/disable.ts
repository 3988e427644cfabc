import type { Rule } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { HotlineCommand } from '../../base.js';

export default class RulesDisable extends HotlineCommand<typeof RulesDisable> {
  static override description = 'Disable a workflow rule';
  static override examples = ['<%= config.bin %> rules disable urgent-to-alice'];
  static override args = { rule: Args.string({ description: 'rule id or name', required: true }) };

  async run(): Promise<Rule> {
    const r = await this.client().rules.disable(this.args.rule);
    this.note(`rule ${r.name} ${r.enabled ? 'enabled' : 'disabled'}`);
    return r;
  }
}
