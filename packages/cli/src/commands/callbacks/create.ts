import type { Callback } from '@hotline/server/client';
import { Flags } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { callbackRecord, parseIn } from '../../callbacks.js';
import { defined } from '../../flags.js';

export default class CallbacksCreate extends HotlineCommand<typeof CallbacksCreate> {
  static override description = 'Schedule a callback: at its due time the agent\'s phone rings, then the number (retried until answered)';
  static override examples = [
    '<%= config.bin %> callbacks create --number "+49 30 1234567" --agent 1001 --in 30m --note "invoice question"',
    '<%= config.bin %> callbacks create --customer 42 --at 2026-11-25T09:00:00+01:00',
    '<%= config.bin %> callbacks create --number 1002 --agent 1001 --max-attempts 1 --json',
  ];
  static override flags = {
    number: Flags.string({ description: 'number to call (normalized to E.164 in crm.defaultRegion) or an agent\'s extension; default: the customer\'s first phone' }),
    customer: Flags.integer({ description: 'customer id', min: 1 }),
    agent: Flags.string({ description: 'extension of the agent whose phone rings first; default: the customer\'s preferred agent' }),
    at: Flags.string({ description: 'due time, ISO 8601 with a zone (default: now)', exclusive: ['in'] }),
    in: Flags.string({ description: 'due after this long: 30m, 2h, 1d', exclusive: ['at'] }),
    note: Flags.string({ description: 'note for the agent' }),
    'max-attempts': Flags.integer({ description: 'attempts before the callback fails (default 3)', min: 1, max: 10 }),
    'retry-minutes': Flags.integer({ description: 'minutes between attempts (default 10)', min: 1, max: 1440 }),
  };

  async run(): Promise<Callback> {
    const f = this.flags;
    const c = await this.client().callbacks.create(defined({
      number: f.number, customerId: f.customer, agent: f.agent, dueAt: f.at, inMinutes: f.in === undefined ? undefined : parseIn(f.in), note: f.note,
      maxAttempts: f['max-attempts'], retryMinutes: f['retry-minutes'],
    }));
    this.record(callbackRecord(c));
    return c;
  }
}
