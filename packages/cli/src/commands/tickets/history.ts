import type { HistoryEntry } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { HotlineCommand } from '../../base.js';

const show = (v: unknown) => (v === null || v === undefined ? '-' : typeof v === 'string' ? v : JSON.stringify(v));

export default class TicketsHistory extends HotlineCommand<typeof TicketsHistory> {
  static override description = 'Every change of a ticket (field, before, after, who, when), oldest first';
  static override examples = ['<%= config.bin %> tickets history 7', '<%= config.bin %> tickets history 7 --json'];
  static override args = { id: Args.string({ description: 'ticket id', required: true }) };

  async run(): Promise<HistoryEntry[]> {
    const h = await this.client().tickets.history(this.args.id);
    this.table(h, [
      { header: 'at', get: (e) => e.at },
      { header: 'actor', get: (e) => e.actor },
      { header: 'field', get: (e) => e.field },
      { header: 'before', get: (e) => show(e.before) },
      { header: 'after', get: (e) => show(e.after) },
    ], '(no history)');
    return h;
  }
}
