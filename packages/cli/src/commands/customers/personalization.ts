import type { Personalized } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { HotlineCommand } from '../../base.js';

export default class CustomersPersonalization extends HotlineCommand<typeof CustomersPersonalization> {
  static override description =
    'How the ACD treats a caller with this number (any format): customer, VIP level and queue priority (setting crm.vipPriority), preferred and last agent, language';
  static override examples = [
    '<%= config.bin %> customers personalization "(415) 555-0100"',
    '<%= config.bin %> customers personalization +14155550100 --json',
  ];
  static override args = { phone: Args.string({ description: 'the caller\'s phone number', required: true }) };

  async run(): Promise<Personalized> {
    const p = await this.client().customers.personalization(this.args.phone);
    this.record([
      ['number', p.normalized],
      ['customer', p.customer ? `${p.customer.id} ${p.customer.name}` : '(none)'],
      ['vip level', p.vipLevel],
      ['priority', p.priority],
      ['preferred agent', p.preferredAgent ?? '-'],
      ['last agent', p.lastAgent ?? '-'],
      ['language', p.language ?? '-'],
    ]);
    return p;
  }
}
