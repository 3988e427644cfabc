import type { TimelineItem } from '@hotline/server/client';
import { Args, Flags } from '@oclif/core';
import { HotlineCommand } from '../../base.js';

export default class CustomersTimeline extends HotlineCommand<typeof CustomersTimeline> {
  static override description = 'Notes and calls of a customer, newest first (calls matched by the customer\'s numbers)';
  static override examples = ['<%= config.bin %> customers timeline 42', '<%= config.bin %> customers timeline 42 --limit 20 --json'];
  static override args = { id: Args.string({ description: 'customer id', required: true }) };
  static override flags = { limit: Flags.integer({ description: 'items, 1-1000', min: 1, max: 1000 }) };

  async run(): Promise<TimelineItem[]> {
    const items = await this.client().customers.timeline(this.args.id, this.flags.limit);
    this.table(items, [
      { header: 'at', get: (i) => i.at },
      { header: 'kind', get: (i) => i.kind },
      { header: 'summary', get: (i) => (i.note ? `${i.summary}: ${i.note.text.split('\n')[0]}` : i.summary) },
    ], '(nothing yet)');
    return items;
  }
}
