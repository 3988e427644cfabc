import type { LookupResult } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { customerColumns } from '../../customers.js';

export default class CustomersLookup extends HotlineCommand<typeof CustomersLookup> {
  static override description = 'Find customers by phone number (any format, normalized like stored numbers) or email address (contains @)';
  static override examples = [
    '<%= config.bin %> customers lookup "(415) 555-0100"',
    '<%= config.bin %> customers lookup Ada@Example.com --json',
  ];
  static override args = { value: Args.string({ description: 'phone number or email address', required: true }) };

  async run(): Promise<LookupResult> {
    const v = this.args.value;
    const r = await this.client().customers.lookup(v.includes('@') ? { email: v } : { phone: v });
    this.note(`looked up ${r.normalized}`);
    this.table(r.customers, customerColumns, '(no customer)');
    return r;
  }
}
