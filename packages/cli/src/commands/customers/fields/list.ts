import type { CustomField } from '@hotline/server/client';
import { HotlineCommand } from '../../../base.js';
import { fieldColumns } from '../../../customers.js';

export default class CustomersFieldsList extends HotlineCommand<typeof CustomersFieldsList> {
  static override description = 'List the custom fields customers may have';
  static override examples = ['<%= config.bin %> customers fields list', '<%= config.bin %> customers fields list --json'];

  async run(): Promise<CustomField[]> {
    const fields = await this.client().customerFields.list();
    this.table(fields, fieldColumns, '(no custom fields)');
    return fields;
  }
}
