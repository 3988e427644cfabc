import type { Duplicate } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { HotlineCommand } from '../../base.js';

export default class CustomersDuplicates extends HotlineCommand<typeof CustomersDuplicates> {
  static override description = 'Possible duplicates of a customer: same phone, same email, or a very similar name at the same company';
  static override examples = ['<%= config.bin %> customers duplicates 42', '<%= config.bin %> customers duplicates 42 --json'];
  static override args = { id: Args.string({ description: 'customer id', required: true }) };

  async run(): Promise<Duplicate[]> {
    const dups = await this.client().customers.duplicates(this.args.id);
    this.table(dups, [
      { header: 'id', get: (d) => d.customer.id },
      { header: 'name', get: (d) => d.customer.name },
      { header: 'company', get: (d) => d.customer.company || '-' },
      { header: 'reasons', get: (d) => d.reasons.join('; ') },
    ], '(no duplicates)');
    if (dups.length) this.note(`merge one with: hotline customers merge ${this.args.id} <id>`);
    return dups;
  }
}
