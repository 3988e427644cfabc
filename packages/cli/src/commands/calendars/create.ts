import type { Calendar } from '@hotline/server/client';
import { Args, Flags } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { calendarRecord, parseHours } from '../../tickets.js';

export default class CalendarsCreate extends HotlineCommand<typeof CalendarsCreate> {
  static override description = 'Create a business calendar: weekly hours in an IANA time zone, minus holidays (SLA policies count on it; flows will too)';
  static override examples = [
    '<%= config.bin %> calendars create berlin --time-zone Europe/Berlin --hours "mon-fri 09:00-12:00,13:00-17:00" --holiday 2026-12-25',
    '<%= config.bin %> calendars create nights --time-zone UTC --hours "mon-fri 22:00-24:00" --hours "tue-sat 00:00-06:00"',
  ];
  static override args = { name: Args.string({ description: 'calendar name', required: true }) };
  static override flags = {
    'time-zone': Flags.string({ description: 'IANA time zone, e.g. Europe/Berlin', required: true }),
    hours: Flags.string({ description: 'DAYS HH:MM-HH:MM[,...] (repeatable): "mon-fri 09:00-17:00", "sat 10:00-14:00"; a range never spans midnight', multiple: true, required: true }),
    holiday: Flags.string({ description: 'a local date without business hours, YYYY-MM-DD (repeatable)', multiple: true }),
  };

  async run(): Promise<Calendar> {
    const f = this.flags;
    const c = await this.client().calendars.create({ name: this.args.name, timeZone: f['time-zone'], hours: parseHours(f.hours), holidays: f.holiday ?? [] });
    this.record(calendarRecord(c));
    return c;
  }
}
