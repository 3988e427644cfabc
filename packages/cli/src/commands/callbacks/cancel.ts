import type { Callback } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { callbackRecord } from '../../callbacks.js';

export default class CallbacksCancel extends HotlineCommand<typeof CallbacksCancel> {
  static override description = 'Cancel a scheduled callback (exit 6 once it is being dialled or finished)';
  static override examples = ['<%= config.bin %> callbacks cancel 7', '<%= config.bin %> callbacks cancel 7 --json'];
  static override args = { id: Args.string({ description: 'callback id', required: true }) };

  async run(): Promise<Callback> {
    const c = await this.client().callbacks.cancel(this.args.id);
    this.record(callbackRecord(c));
    return c;
  }
}
