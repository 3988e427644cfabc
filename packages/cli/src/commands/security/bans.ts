import type { AddressBan } from '@hotline/server/client';
import { HotlineCommand } from '../../base.js';
import { banColumns } from '../../views.js';

export default class SecurityBans extends HotlineCommand<typeof SecurityBans> {
  static override description = 'List the source addresses banned for failing SIP authentication, as known to the server answering';
  static override examples = ['<%= config.bin %> security bans', '<%= config.bin %> security bans --json'];

  async run(): Promise<AddressBan[]> {
    const bans = await this.client().security.bans.list();
    this.table(bans, banColumns, '(no bans)');
    return bans;
  }
}
