import type { CallInfo } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { callRecord } from '../../views.js';

export default class CallsHangup extends HotlineCommand<typeof CallsHangup> {
  static override description = [
    'Hang up a live call (supervisors and admins)',
    '',
    'An answered call gets BYE on both sides; a call still trying or ringing gets 480 towards the caller and',
    'every ringing device is CANCELled. The call ends hung up by `system` with the reason `hangup by <you>`,',
    'and the request is audited (call.hangup_requested). Exit codes: 0 hung up, 5 no such call, 6 the call',
    'is not live (it has ended), 4 your role may not hang up calls.',
  ].join('\n');

  static override examples = ['<%= config.bin %> calls hangup 0b7c...', '<%= config.bin %> calls hangup 0b7c... --json'];
  static override args = { id: Args.string({ description: 'call id (as `calls list --active` shows it)', required: true }) };

  async run(): Promise<CallInfo> {
    const call = await this.client().calls.hangup(this.args.id);
    this.record(callRecord(call));
    return call;
  }
}
