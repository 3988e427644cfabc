import type { Queue, QueueInput } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { defined, parseSettings, queueFlags } from '../../flags.js';
import { queueRecord } from '../../views.js';

export default class QueuesCreate extends HotlineCommand<typeof QueuesCreate> {
  static override description = 'Create a queue';
  static override examples = [
    '<%= config.bin %> queues create support',
    '<%= config.bin %> queues create sales --strategy round-robin --set serviceLevelSeconds=30 --set joinWhenEmpty=false',
    `<%= config.bin %> queues create vip --settings-json '{"priority": 10, "requiredSkills": {"billing": 5}}'`,
  ];
  static override args = { name: Args.string({ description: 'queue name (lower-case letters, digits, . _ -)', required: true }) };
  static override flags = queueFlags;

  async run(): Promise<Queue> {
    const settings = parseSettings(this.flags.set, this.flags['settings-json']) as QueueInput['settings'];
    const queue = await this.client().queues.create({ name: this.args.name, ...defined({ strategy: this.flags.strategy as QueueInput['strategy'], settings }) });
    this.record(queueRecord(queue));
    return queue;
  }
}
