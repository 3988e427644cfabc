import { Args } from '@oclif/core';
import { HotlineCommand } from '../../../base.js';

export default class KbEditorsRemove extends HotlineCommand<typeof KbEditorsRemove> {
  static override description = 'Take the KB editor capability from a user';
  static override examples = ['<%= config.bin %> kb editors remove alice'];
  static override args = { user: Args.string({ description: 'user name', required: true }) };

  async run(): Promise<{ removed: string }> {
    await this.client().kb.editors.remove(this.args.user);
    this.note(`${this.args.user} is no longer a KB editor`);
    return { removed: this.args.user };
  }
}
