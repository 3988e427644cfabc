import type { Queue, QueuePatch } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { defined, parseSettings, queueFlags, requireSome } from '../../flags.js';
import { queueRecord } from '../../views.js';

export default class QueuesUpdate extends HotlineCommand<typeof QueuesUpdate> {
  static override description = 'Change a queue (settings not given keep their values)';
  static override examples = [
    '<%= config.bin %> queues update support --strategy ring-all',
    '<%= config.bin %> queues update support --set serviceLevelSeconds=30 --set requiredSkills.billing=5',
  ];
  static override args = { name: Args.string({ description: 'queue name', required: true }) };
  static override flags = queueFlags;

  async run(): Promise<Queue> {
    const settings = parseSettings(this.flags.set, this.flags['settings-json']) as QueuePatch['settings'];
    const patch = defined({ strategy: this.flags.strategy as QueuePatch['strategy'], settings });
    requireSome(patch, '--strategy, --set, --settings-json');
    const queue = await this.client().queues.update(this.args.name, patch);
    this.record(queueRecord(queue));
    return queue;
  }
}
