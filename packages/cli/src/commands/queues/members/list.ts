import type { Member } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { HotlineCommand } from '../../../base.js';
import { memberColumns } from '../../../views.js';

export default class QueuesMembersList extends HotlineCommand<typeof QueuesMembersList> {
  static override description = 'List the members of a queue';
  static override examples = ['<%= config.bin %> queues members list support', '<%= config.bin %> queues members list support --json'];
  static override args = { queue: Args.string({ description: 'queue name', required: true }) };

  async run(): Promise<Member[]> {
    const members = await this.client().queues.members.list(this.args.queue);
    this.table(members, memberColumns, '(no members)');
    return members;
  }
}
