import { Args } from '@oclif/core';
import { HotlineCommand } from '../../../base.js';

export default class QueuesMembersRemove extends HotlineCommand<typeof QueuesMembersRemove> {
  static override description = 'Remove an agent from a queue';
  static override examples = ['<%= config.bin %> queues members remove support 1001'];
  static override args = {
    queue: Args.string({ description: 'queue name', required: true }),
    extension: Args.string({ description: 'extension of the agent', required: true }),
  };

  async run(): Promise<{ queue: string; removed: string }> {
    const { queue, extension } = this.args;
    await this.client().queues.members.remove(queue, extension);
    this.note(`removed agent ${extension} from queue ${queue}`);
    return { queue, removed: extension };
  }
}
