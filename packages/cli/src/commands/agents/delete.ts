import { Args } from '@oclif/core';
import { HotlineCommand } from '../../base.js';

export default class AgentsDelete extends HotlineCommand<typeof AgentsDelete> {
  static override description = 'Delete an agent (and its queue memberships)';
  static override examples = ['<%= config.bin %> agents delete 1001', '<%= config.bin %> agents delete 1001 --json'];
  static override args = { extension: Args.string({ description: 'extension of the agent', required: true }) };

  async run(): Promise<{ deleted: string }> {
    await this.client().agents.delete(this.args.extension);
    this.note(`deleted agent ${this.args.extension}`);
    return { deleted: this.args.extension };
  }
}
