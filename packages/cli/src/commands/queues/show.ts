import type { Queue } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { renderTable } from '../../output.js';
import { memberColumns, queueRecord } from '../../views.js';

export default class QueuesShow extends HotlineCommand<typeof QueuesShow> {
  static override description = 'Show a queue, its settings and its members';
  static override examples = ['<%= config.bin %> queues show support', '<%= config.bin %> queues show support --json'];
  static override args = { name: Args.string({ description: 'queue name', required: true }) };

  async run(): Promise<Queue> {
    const queue = await this.client().queues.get(this.args.name);
    this.record(queueRecord(queue));
    if (queue.members.length && !this.jsonEnabled()) this.log(`\n${renderTable(queue.members, memberColumns)}`);
    return queue;
  }
}
