import type { Customer } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { customerFlags, customerRecord, customValues } from '../../customers.js';
import { defined } from '../../flags.js';

export default class CustomersCreate extends HotlineCommand<typeof CustomersCreate> {
  static override description = 'Create a customer (phones are normalized to E.164 in the server\'s crm.defaultRegion)';
  static override examples = [
    '<%= config.bin %> customers create "Ada Lovelace" --company "Analytical Engines" --phone "(415) 555-0100" --email ada@example.com',
    '<%= config.bin %> customers create "Bernd Beispiel" --phone "0049 30 1234567 ext. 12" --language de --vip 3 --tag key-account --custom tier=gold',
  ];
  static override args = { name: Args.string({ description: 'full name', required: true }) };
  static override flags = customerFlags;

  async run(): Promise<Customer> {
    const f = this.flags;
    const client = this.client();
    const c = await client.customers.create({
      name: this.args.name,
      ...defined({
        company: f.company, phones: f.phone, emails: f.email, language: f.language, tags: f.tag, vipLevel: f.vip,
        preferredAgent: f['preferred-agent'], custom: await customValues(client, f.custom),
      }),
    });
    this.record(customerRecord(c));
    return c;
  }
}
