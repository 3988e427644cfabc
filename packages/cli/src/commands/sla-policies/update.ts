import type { SlaPolicy, SlaPolicyPatch } from '@hotline/server/client';
import { Args, Flags } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { defined, requireSome } from '../../flags.js';
import { PRIORITIES, policyRecord } from '../../tickets.js';

export default class SlaPoliciesUpdate extends HotlineCommand<typeof SlaPoliciesUpdate> {
  static override description = 'Change an SLA policy (flags not given stay as they are; clocks already started keep their due times)';
  static override examples = [
    '<%= config.bin %> sla-policies update standard --resolution 960',
    '<%= config.bin %> sla-policies update standard --priority normal --priority low --no-next-response',
  ];
  static override args = { name: Args.string({ description: 'policy name', required: true }) };
  static override flags = {
    calendar: Flags.string({ description: 'business calendar the minutes count on' }),
    priority: Flags.string({ description: 'ticket priority this policy applies to (repeatable; replaces the list)', options: [...PRIORITIES], multiple: true }),
    'first-response': Flags.integer({ description: 'business minutes to the first public answer', min: 1 }),
    'next-response': Flags.integer({ description: 'business minutes to answer each customer reply', min: 1, exclusive: ['no-next-response'] }),
    'no-next-response': Flags.boolean({ description: 'no next-response target' }),
    resolution: Flags.integer({ description: 'business minutes to resolved (paused while pending)', min: 1 }),
  };

  async run(): Promise<SlaPolicy> {
    const f = this.flags;
    const patch: SlaPolicyPatch = defined({
      calendar: f.calendar, priorities: f.priority as SlaPolicy['priorities'] | undefined, firstResponseMinutes: f['first-response'],
      nextResponseMinutes: f['no-next-response'] ? null : f['next-response'], resolutionMinutes: f.resolution,
    });
    requireSome(patch, '--calendar, --priority, --first-response, --next-response, --no-next-response or --resolution');
    const p = await this.client().slaPolicies.update(this.args.name, patch);
    this.record(policyRecord(p));
    return p;
  }
}
