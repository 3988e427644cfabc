import { Args } from '@oclif/core';
import { HotlineCommand } from '../../base.js';

export default class RulesDelete extends HotlineCommand<typeof RulesDelete> {
  static override description = 'Delete a workflow rule';
  static override examples = ['<%= config.bin %> rules delete urgent-to-alice'];
  static override args = { rule: Args.string({ description: 'rule id or name', required: true }) };

  async run(): Promise<{ deleted: string }> {
    await this.client().rules.delete(this.args.rule);
    this.note(`rule ${this.args.rule} deleted`);
    return { deleted: this.args.rule };
  }
}
