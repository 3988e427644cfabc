import type { Queue } from '@hotline/server/client';
import { HotlineCommand } from '../../base.js';
import { queueColumns } from '../../views.js';

export default class QueuesList extends HotlineCommand<typeof QueuesList> {
  static override description = 'List queues';
  static override examples = ['<%= config.bin %> queues list', '<%= config.bin %> queues list --json'];

  async run(): Promise<Queue[]> {
    const queues = await this.client().queues.list();
    this.table(queues, queueColumns, '(no queues)');
    return queues;
  }
}
