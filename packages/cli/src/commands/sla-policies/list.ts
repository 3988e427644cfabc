import type { SlaPolicy } from '@hotline/server/client';
import { HotlineCommand } from '../../base.js';
import { policyColumns } from '../../tickets.js';

export default class SlaPoliciesList extends HotlineCommand<typeof SlaPoliciesList> {
  static override description = 'List SLA policies (a new ticket gets the oldest policy listing its priority)';
  static override examples = ['<%= config.bin %> sla-policies list', '<%= config.bin %> sla-policies list --json'];

  async run(): Promise<SlaPolicy[]> {
    const list = await this.client().slaPolicies.list();
    this.table(list, policyColumns, '(no SLA policies)');
    return list;
  }
}
