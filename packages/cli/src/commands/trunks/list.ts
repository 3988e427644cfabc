import type { Trunk } from '@hotline/server/client';
import { HotlineCommand } from '../../base.js';
import { trunkColumns } from '../../views.js';

export default class TrunksList extends HotlineCommand<typeof TrunksList> {
  static override description = 'List trunks';
  static override examples = ['<%= config.bin %> trunks list', '<%= config.bin %> trunks list --json'];

  async run(): Promise<Trunk[]> {
    const trunks = await this.client().trunks.list();
    this.table(trunks, trunkColumns, '(no trunks)');
    return trunks;
  }
}
