import type { Callback } from '@hotline/server/client';
import { Flags } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { CALLBACK_STATUSES, callbackColumns } from '../../callbacks.js';

export default class CallbacksList extends HotlineCommand<typeof CallbacksList> {
  static override description = 'List callbacks by id (one page; --after continues)';
  static override examples = [
    '<%= config.bin %> callbacks list --status scheduled',
    '<%= config.bin %> callbacks list --agent 1001 --json',
    '<%= config.bin %> callbacks list --customer 42',
  ];
  static override flags = {
    status: Flags.string({ description: 'only callbacks in this status', options: [...CALLBACK_STATUSES] }),
    agent: Flags.string({ description: 'only callbacks of this agent (extension)' }),
    customer: Flags.integer({ description: 'only callbacks of this customer id', min: 1 }),
    limit: Flags.integer({ description: 'callbacks per page, 1-1000', default: 100, min: 1, max: 1000 }),
    after: Flags.integer({ description: 'only callbacks with a larger id', min: 0 }),
  };

  async run(): Promise<Callback[]> {
    const f = this.flags;
    const list = await this.client().callbacks.list({
      status: f.status as Callback['status'] | undefined, agent: f.agent, customerId: f.customer, limit: f.limit, after: f.after,
    });
    this.table(list, callbackColumns, '(no callbacks)');
    if (list.length === f.limit) this.note(`more: --after ${list[list.length - 1]!.id}`);
    return list;
  }
}
