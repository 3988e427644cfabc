import type { Calendar, CalendarPatch } from '@hotline/server/client';
import { Args, Flags } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { defined, requireSome } from '../../flags.js';
import { calendarRecord, parseHours } from '../../tickets.js';

export default class CalendarsUpdate extends HotlineCommand<typeof CalendarsUpdate> {
  static override description = 'Change a business calendar (flags not given stay as they are; running SLA clocks keep their due times)';
  static override examples = [
    '<%= config.bin %> calendars update berlin --hours "mon-fri 08:00-18:00"',
    '<%= config.bin %> calendars update berlin --holiday 2026-12-24 --holiday 2026-12-25',
    '<%= config.bin %> calendars update berlin --no-holidays',
  ];
  static override args = { name: Args.string({ description: 'calendar name', required: true }) };
  static override flags = {
    'time-zone': Flags.string({ description: 'IANA time zone, e.g. Europe/Berlin' }),
    hours: Flags.string({ description: 'DAYS HH:MM-HH:MM[,...] (repeatable; replaces all hours)', multiple: true }),
    holiday: Flags.string({ description: 'a local date without business hours, YYYY-MM-DD (repeatable; replaces all holidays)', multiple: true, exclusive: ['no-holidays'] }),
    'no-holidays': Flags.boolean({ description: 'remove every holiday' }),
  };

  async run(): Promise<Calendar> {
    const f = this.flags;
    const patch: CalendarPatch = defined({
      timeZone: f['time-zone'], hours: f.hours ? parseHours(f.hours) : undefined, holidays: f['no-holidays'] ? [] : f.holiday,
    });
    requireSome(patch, '--time-zone, --hours, --holiday or --no-holidays');
    const c = await this.client().calendars.update(this.args.name, patch);
    this.record(calendarRecord(c));
    return c;
  }
}
