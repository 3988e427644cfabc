import type { CallInfo } from '@hotline/server/client';
import { Flags } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { ExitCode } from '../../exit-codes.js';
import { callRecord } from '../../views.js';

/** Poll interval of `--wait` (GET /v1/calls/:id). */
const POLL_MS = 250;

export default class CallsOriginate extends HotlineCommand<typeof CallsOriginate> {
  static override description = [
    'Click-to-call: ring an agent, and when it answers connect it to an extension or a number (supervisors and admins)',
    '',
    "The server calls the agent's registered devices; when one answers it calls `--to` exactly as if the agent",
    'had dialled it (another agent, a number routed to an agent, or out through a trunk), and bridges the two.',
    'Without --wait the command returns as soon as the call exists (state trying). With --wait it follows the',
    'call until it is answered or has ended, printing each state change to stderr, up to --timeout seconds.',
    'Exit codes: 0 started (or, with --wait, answered), 9 with --wait: ended unanswered or not answered in time,',
    '5 unknown agent or nothing routes --to, 6 the agent or the target cannot take the call now (no registered',
    'device, busy, trunk full), 7 bad input, 4 your role may not originate calls.',
  ].join('\n');

  static override examples = [
    '<%= config.bin %> calls originate --from 1001 --to 1002',
    '<%= config.bin %> calls originate --from 1001 --to 0049301234567 --wait --timeout 60 --json',
  ];

  static override flags = {
    from: Flags.string({ description: "the agent's extension (its devices ring first)", required: true }),
    to: Flags.string({ description: 'extension or number to connect the agent to', required: true }),
    wait: Flags.boolean({ description: 'wait until the call is answered or has ended', default: false }),
    timeout: Flags.integer({ description: 'with --wait: give up waiting after this many seconds', default: 60, min: 1, max: 3600 }),
  };

  async run(): Promise<CallInfo> {
    const client = this.client();
    let call = await client.calls.originate({ from: this.flags.from, to: this.flags.to });
    this.note(`call ${call.id}: ${call.state}`);
    if (this.flags.wait) call = await this.follow(call);
    this.record(callRecord(call));
    return call;
  }

  /** Poll the call until answered or ended, or the deadline; not answered sets exit code 9. */
  private async follow(start: CallInfo): Promise<CallInfo> {
    const client = this.client();
    const deadline = Date.now() + this.flags.timeout * 1000;
    let call = start;
    let shown = call.state as string;
    while (call.state !== 'answered' && call.state !== 'ended') {
      if (Date.now() >= deadline) {
        this.note(`call ${call.id}: not answered within ${this.flags.timeout} s (still ${call.state})`);
        process.exitCode = ExitCode.notAnswered;
        return call;
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
      call = await client.calls.get(call.id);
      if (call.state !== shown) {
        shown = call.state;
        this.note(`call ${call.id}: ${call.state}${call.state === 'ended' ? ` (${call.status ?? ''} ${call.reason ?? ''})`.trimEnd() : ''}`);
      }
    }
    if (call.state === 'ended' && !call.answeredAt) process.exitCode = ExitCode.notAnswered;
    return call;
  }
}
