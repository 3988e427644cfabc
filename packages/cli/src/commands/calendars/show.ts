import type { Calendar } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { calendarRecord } from '../../tickets.js';

export default class CalendarsShow extends HotlineCommand<typeof CalendarsShow> {
  static override description = 'Show a business calendar';
  static override examples = ['<%= config.bin %> calendars show berlin'];
  static override args = { name: Args.string({ description: 'calendar name', required: true }) };

  async run(): Promise<Calendar> {
    const c = await this.client().calendars.get(this.args.name);
    this.record(calendarRecord(c));
    return c;
  }
}
