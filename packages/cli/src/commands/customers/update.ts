import type { Customer } from '@hotline/server/client';
import { Args, Flags } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { customerFlags, customerRecord, customValues } from '../../customers.js';
import { defined, requireSome } from '../../flags.js';

export default class CustomersUpdate extends HotlineCommand<typeof CustomersUpdate> {
  static override description = 'Change a customer (only the given fields change; a repeatable flag replaces that whole list)';
  static override examples = [
    '<%= config.bin %> customers update 42 --vip 5 --tag vip --tag key-account',
    '<%= config.bin %> customers update 42 --phone "+1 415 555 0100" --phone "415-555-0199 x12"',
    '<%= config.bin %> customers update 42 --custom tier= --clear-preferred-agent',
  ];
  static override args = { id: Args.string({ description: 'customer id', required: true }) };
  static override flags = {
    name: Flags.string({ description: 'full name' }),
    ...customerFlags,
    'clear-language': Flags.boolean({ description: 'remove the language', exclusive: ['language'] }),
    'clear-preferred-agent': Flags.boolean({ description: 'remove the preferred agent', exclusive: ['preferred-agent'] }),
  };

  async run(): Promise<Customer> {
    const f = this.flags;
    const client = this.client();
    const patch = defined({
      name: f.name, company: f.company, phones: f.phone, emails: f.email, tags: f.tag, vipLevel: f.vip,
      language: f['clear-language'] ? null : f.language,
      preferredAgent: f['clear-preferred-agent'] ? null : f['preferred-agent'],
      custom: await customValues(client, f.custom),
    });
    requireSome(patch, '--name, --company, --phone, --email, --language, --tag, --vip, --preferred-agent, --custom, --clear-language, --clear-preferred-agent');
    const c = await client.customers.update(this.args.id, patch);
    this.record(customerRecord(c));
    return c;
  }
}
