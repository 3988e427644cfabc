import type { User, UserInput } from '@hotline/server/client';
import { Args, Flags } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { defined, ROLES } from '../../flags.js';
import { userRecord } from '../../views.js';

export default class UsersCreate extends HotlineCommand<typeof UsersCreate> {
  static override description = 'Create a user (then `hotline tokens create --user NAME` gives them a token)';
  static override examples = ['<%= config.bin %> users create ann --role agent --display-name "Ann Lee"'];
  static override args = { name: Args.string({ description: 'user name (lower-case letters, digits, . _ -)', required: true }) };
  static override flags = {
    role: Flags.string({ description: 'what the user may do', options: ROLES, required: true }),
    'display-name': Flags.string({ description: 'full name, up to 128 characters' }),
  };

  async run(): Promise<User> {
    const input = { name: this.args.name, role: this.flags.role as UserInput['role'], ...defined({ displayName: this.flags['display-name'] }) };
    const user = await this.client().users.create(input);
    this.record(userRecord(user));
    return user;
  }
}
