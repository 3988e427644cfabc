import type { User } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { userRecord } from '../../views.js';

export default class UsersShow extends HotlineCommand<typeof UsersShow> {
  static override description = 'Show a user';
  static override examples = ['<%= config.bin %> users show ann', '<%= config.bin %> users show ann --json'];
  static override args = { name: Args.string({ description: 'user name', required: true }) };

  async run(): Promise<User> {
    const user = await this.client().users.get(this.args.name);
    this.record(userRecord(user));
    return user;
  }
}
