import type { Customer } from '@hotline/server/client';
import { Flags } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { customerColumns } from '../../customers.js';

export default class CustomersList extends HotlineCommand<typeof CustomersList> {
  static override description = 'List customers by id (one page; --after continues)';
  static override examples = [
    '<%= config.bin %> customers list',
    '<%= config.bin %> customers list --search "acme" --tag vip --json',
    '<%= config.bin %> customers list --limit 100 --after 400',
  ];
  static override flags = {
    search: Flags.string({ char: 'q', description: 'words of the name or company' }),
    tag: Flags.string({ description: 'only customers with this tag' }),
    limit: Flags.integer({ description: 'customers per page, 1-1000', default: 100, min: 1, max: 1000 }),
    after: Flags.integer({ description: 'only customers with a larger id: the last id of the previous page (the human output prints the next --after)', min: 0 }),
  };

  async run(): Promise<Customer[]> {
    const f = this.flags;
    const page = await this.client().customers.list({ limit: f.limit, after: f.after, q: f.search, tag: f.tag });
    this.table(page.customers, customerColumns, '(no customers)');
    if (page.next !== null) this.note(`more: --after ${page.next}`);
    return page.customers;
  }
}
