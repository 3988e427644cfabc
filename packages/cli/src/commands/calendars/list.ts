import type { Calendar } from '@hotline/server/client';
import { HotlineCommand } from '../../base.js';
import { calendarColumns } from '../../tickets.js';

export default class CalendarsList extends HotlineCommand<typeof CalendarsList> {
  static override description = 'List business calendars';
  static override examples = ['<%= config.bin %> calendars list', '<%= config.bin %> calendars list --json'];

  async run(): Promise<Calendar[]> {
    const list = await this.client().calendars.list();
    this.table(list, calendarColumns, '(no calendars)');
    return list;
  }
}
