import type { CallInfo } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { callRecord } from '../../views.js';

export default class CallsShow extends HotlineCommand<typeof CallsShow> {
  static override description = 'Show a call record with its legs';
  static override examples = ['<%= config.bin %> calls show 0b7c...', '<%= config.bin %> calls show 0b7c... --json'];
  static override args = { id: Args.string({ description: 'call id', required: true }) };

  async run(): Promise<CallInfo> {
    const call = await this.client().calls.get(this.args.id);
    this.record(callRecord(call));
    return call;
  }
}
