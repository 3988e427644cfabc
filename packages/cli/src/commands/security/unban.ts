import type { AddressBan } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { HotlineCommand } from '../../base.js';

export default class SecurityUnban extends HotlineCommand<typeof SecurityUnban> {
  static override description = 'Lift the ban on a source address (and forget its authentication failures)';
  static override examples = ['<%= config.bin %> security unban 203.0.113.7', '<%= config.bin %> security unban 2001:db8::7 --json'];
  static override args = { address: Args.string({ description: 'the banned address, as `security bans` shows it', required: true }) };

  async run(): Promise<AddressBan> {
    const ban = await this.client().security.bans.unban(this.args.address);
    this.note(`unbanned ${ban.address} (${ban.failures} failure${ban.failures === 1 ? '' : 's'}; the ban would have ended ${ban.until})`);
    return ban;
  }
}
