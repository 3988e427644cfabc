import type { SlaPolicy } from '@hotline/server/client';
import { Args, Flags } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { PRIORITIES, policyRecord } from '../../tickets.js';

export default class SlaPoliciesCreate extends HotlineCommand<typeof SlaPoliciesCreate> {
  static override description = 'Create an SLA policy: targets in business minutes of a calendar, for some priorities';
  static override examples = [
    '<%= config.bin %> sla-policies create standard --calendar berlin --priority normal --priority high --first-response 60 --next-response 120 --resolution 480',
  ];
  static override args = { name: Args.string({ description: 'policy name', required: true }) };
  static override flags = {
    calendar: Flags.string({ description: 'business calendar the minutes count on', required: true }),
    priority: Flags.string({ description: 'ticket priority this policy applies to (repeatable)', options: [...PRIORITIES], multiple: true, required: true }),
    'first-response': Flags.integer({ description: 'business minutes to the first public answer', min: 1, required: true }),
    'next-response': Flags.integer({ description: 'business minutes to answer each customer reply', min: 1 }),
    resolution: Flags.integer({ description: 'business minutes to resolved (paused while pending)', min: 1, required: true }),
  };

  async run(): Promise<SlaPolicy> {
    const f = this.flags;
    const p = await this.client().slaPolicies.create({
      name: this.args.name, calendar: f.calendar, priorities: f.priority as SlaPolicy['priorities'], firstResponseMinutes: f['first-response'],
      nextResponseMinutes: f['next-response'] ?? null, resolutionMinutes: f.resolution,
    });
    this.record(policyRecord(p));
    return p;
  }
}
