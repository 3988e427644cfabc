import type { Note } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { HotlineCommand } from '../../../base.js';

export default class CustomersNotesAdd extends HotlineCommand<typeof CustomersNotesAdd> {
  static override description = 'Add a note to a customer (the author is you)';
  static override examples = ['<%= config.bin %> customers notes add 42 "Called about the March invoice; call back Friday"'];
  static override args = {
    id: Args.string({ description: 'customer id', required: true }),
    text: Args.string({ description: 'the note', required: true }),
  };

  async run(): Promise<Note> {
    const n = await this.client().customers.notes.add(this.args.id, this.args.text);
    this.record([['id', n.id], ['customer', n.customerId], ['author', n.author], ['created', n.createdAt], ['text', n.text]]);
    return n;
  }
}
