import type { Customer } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { customerRecord } from '../../customers.js';

export default class CustomersShow extends HotlineCommand<typeof CustomersShow> {
  static override description = 'Show a customer';
  static override examples = ['<%= config.bin %> customers show 42', '<%= config.bin %> customers show 42 --json'];
  static override args = { id: Args.string({ description: 'customer id', required: true }) };

  async run(): Promise<Customer> {
    const c = await this.client().customers.get(this.args.id);
    this.record(customerRecord(c));
    return c;
  }
}
