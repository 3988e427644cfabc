import type { SlaPolicy } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { policyRecord } from '../../tickets.js';

export default class SlaPoliciesShow extends HotlineCommand<typeof SlaPoliciesShow> {
  static override description = 'Show an SLA policy';
  static override examples = ['<%= config.bin %> sla-policies show standard', '<%= config.bin %> sla-policies show standard --json'];
  static override args = { name: Args.string({ description: 'policy name', required: true }) };

  async run(): Promise<SlaPolicy> {
    const p = await this.client().slaPolicies.get(this.args.name);
    this.record(policyRecord(p));
    return p;
  }
}
