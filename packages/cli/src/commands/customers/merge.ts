import type { Customer } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { customerRecord } from '../../customers.js';

export default class CustomersMerge extends HotlineCommand<typeof CustomersMerge> {
  static override description =
    'Merge customer SOURCE into TARGET and delete SOURCE: phones, emails, tags and notes move; TARGET\'s values win on conflict (empty ones are filled); the higher VIP level stays';
  static override examples = ['<%= config.bin %> customers merge 42 57'];
  static override args = {
    target: Args.string({ description: 'customer id that stays', required: true }),
    source: Args.integer({ description: 'customer id merged in and deleted', required: true }),
  };

  async run(): Promise<Customer> {
    const c = await this.client().customers.merge(this.args.target, this.args.source);
    this.record(customerRecord(c));
    this.note(`merged customer ${this.args.source} into ${this.args.target}`);
    return c;
  }
}
