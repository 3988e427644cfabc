import { Args } from '@oclif/core';
import { HotlineCommand } from '../../base.js';

export default class CalendarsDelete extends HotlineCommand<typeof CalendarsDelete> {
  static override description = 'Delete a business calendar (refused while an SLA policy uses it)';
  static override examples = ['<%= config.bin %> calendars delete berlin'];
  static override args = { name: Args.string({ description: 'calendar name', required: true }) };

  async run(): Promise<{ deleted: string }> {
    await this.client().calendars.delete(this.args.name);
    this.note(`deleted calendar ${this.args.name}`);
    return { deleted: this.args.name };
  }
}
