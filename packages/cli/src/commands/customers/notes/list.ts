import type { Note } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { HotlineCommand } from '../../../base.js';

export default class CustomersNotesList extends HotlineCommand<typeof CustomersNotesList> {
  static override description = 'Notes on a customer, newest first';
  static override examples = ['<%= config.bin %> customers notes list 42', '<%= config.bin %> customers notes list 42 --json'];
  static override args = { id: Args.string({ description: 'customer id', required: true }) };

  async run(): Promise<Note[]> {
    const notes = await this.client().customers.notes.list(this.args.id);
    this.table(notes, [
      { header: 'id', get: (n) => n.id },
      { header: 'created', get: (n) => n.createdAt },
      { header: 'author', get: (n) => n.author },
      { header: 'text', get: (n) => n.text },
    ], '(no notes)');
    return notes;
  }
}
