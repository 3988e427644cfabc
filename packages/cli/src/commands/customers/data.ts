import type { PersonalData } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { HotlineCommand } from '../../base.js';

export default class CustomersData extends HotlineCommand<typeof CustomersData> {
  static override description = `Everything held about one person, as one JSON document (subject access request)

The customer with phones, emails and custom fields; notes; tickets linked to the customer with their
comments and history; call records whose numbers match the customer's phones, with their legs; audit
and event entries whose subject is the customer. Always prints JSON. Needs privacy:read (admins,
auditors). \`customers export\` (no id) is the bulk export of every customer.`;

  static override examples = ['<%= config.bin %> customers data 42 > customer-42.json'];
  static override args = { id: Args.string({ description: 'customer id', required: true }) };

  async run(): Promise<PersonalData> {
    const data = await this.client().customers.personalData(this.args.id);
    if (!this.jsonEnabled()) this.log(JSON.stringify(data, null, 2));
    return data;
  }
}
