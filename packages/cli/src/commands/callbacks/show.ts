import type { Callback } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { callbackRecord } from '../../callbacks.js';

export default class CallbacksShow extends HotlineCommand<typeof CallbacksShow> {
  static override description = 'Show a callback: status, attempts, the last call and why it failed';
  static override examples = ['<%= config.bin %> callbacks show 7', '<%= config.bin %> callbacks show 7 --json'];
  static override args = { id: Args.string({ description: 'callback id', required: true }) };

  async run(): Promise<Callback> {
    const c = await this.client().callbacks.get(this.args.id);
    this.record(callbackRecord(c));
    return c;
  }
}
