import { Args } from '@oclif/core';
import { HotlineCommand } from '../../base.js';

export default class UsersDelete extends HotlineCommand<typeof UsersDelete> {
  static override description = 'Delete a user and their tokens';
  static override examples = ['<%= config.bin %> users delete ann', '<%= config.bin %> users delete ann --json'];
  static override args = { name: Args.string({ description: 'user name', required: true }) };

  async run(): Promise<{ deleted: string }> {
    await this.client().users.delete(this.args.name);
    this.note(`deleted user ${this.args.name}`);
    return { deleted: this.args.name };
  }
}
