import type { CallInfo } from '@hotline/server/client';
import { Flags } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { callColumns } from '../../views.js';

export default class CallsList extends HotlineCommand<typeof CallsList> {
  static override description = 'List call records, newest first';
  static override examples = ['<%= config.bin %> calls list', '<%= config.bin %> calls list --active --json'];
  static override flags = {
    active: Flags.boolean({ description: 'only calls that have not ended' }),
    limit: Flags.integer({ description: 'most calls to show (1-1000)', min: 1, max: 1000 }),
  };

  async run(): Promise<CallInfo[]> {
    const { active, limit } = this.flags;
    const calls = await this.client().calls.list({ ...(active ? { active: true } : {}), ...(limit !== undefined ? { limit } : {}) });
    this.table(calls, callColumns, '(no calls)');
    return calls;
  }
}
