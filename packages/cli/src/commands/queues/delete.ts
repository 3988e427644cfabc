import { Args } from '@oclif/core';
import { HotlineCommand } from '../../base.js';

export default class QueuesDelete extends HotlineCommand<typeof QueuesDelete> {
  static override description = 'Delete a queue (and its memberships)';
  static override examples = ['<%= config.bin %> queues delete support', '<%= config.bin %> queues delete support --json'];
  static override args = { name: Args.string({ description: 'queue name', required: true }) };

  async run(): Promise<{ deleted: string }> {
    await this.client().queues.delete(this.args.name);
    this.note(`deleted queue ${this.args.name}`);
    return { deleted: this.args.name };
  }
}
