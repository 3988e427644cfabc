import type { Rule, RulePatch } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { readJson, ruleRecord } from './create.js';

export default class RulesUpdate extends HotlineCommand<typeof RulesUpdate> {
  static override description = 'Change a workflow rule from a JSON file with the fields to change (enabled, trigger, conditions, actions, secret)';
  static override examples = ['<%= config.bin %> rules update urgent-to-alice patch.json'];
  static override args = {
    rule: Args.string({ description: 'rule id or name', required: true }),
    file: Args.string({ description: 'JSON file with the fields to change', required: true }),
  };

  async run(): Promise<Rule> {
    const r = await this.client().rules.update(this.args.rule, readJson(this.args.file) as RulePatch);
    this.record(ruleRecord(r));
    return r;
  }
}
