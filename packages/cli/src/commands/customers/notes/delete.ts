import { Args } from '@oclif/core';
import { HotlineCommand } from '../../../base.js';

export default class CustomersNotesDelete extends HotlineCommand<typeof CustomersNotesDelete> {
  static override description = 'Delete a note (agents may delete only their own)';
  static override examples = ['<%= config.bin %> customers notes delete 42 7'];
  static override args = {
    id: Args.string({ description: 'customer id', required: true }),
    note: Args.string({ description: 'note id', required: true }),
  };

  async run(): Promise<{ deleted: string }> {
    await this.client().customers.notes.delete(this.args.id, this.args.note);
    this.note(`deleted note ${this.args.note}`);
    return { deleted: this.args.note };
  }
}
