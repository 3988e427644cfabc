import type { User, UserPatch } from '@hotline/server/client';
import { Args, Flags } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { defined, requireSome, ROLES } from '../../flags.js';
import { userRecord } from '../../views.js';

export default class UsersUpdate extends HotlineCommand<typeof UsersUpdate> {
  static override description = 'Change a user: role, display name, or disable/enable (a disabled user\'s tokens stop working)';
  static override examples = [
    '<%= config.bin %> users update ann --role supervisor',
    '<%= config.bin %> users update ann --disable',
  ];
  static override args = { name: Args.string({ description: 'user name', required: true }) };
  static override flags = {
    role: Flags.string({ description: 'what the user may do', options: ROLES }),
    'display-name': Flags.string({ description: 'full name, up to 128 characters' }),
    disable: Flags.boolean({ description: 'disable the user', exclusive: ['enable'] }),
    enable: Flags.boolean({ description: 'enable the user again', exclusive: ['disable'] }),
  };

  async run(): Promise<User> {
    const f = this.flags;
    const patch = defined({
      role: f.role as UserPatch['role'],
      displayName: f['display-name'],
      disabled: f.disable ? true : f.enable ? false : undefined,
    });
    requireSome(patch, '--role, --display-name, --disable, --enable');
    const user = await this.client().users.update(this.args.name, patch);
    this.record(userRecord(user));
    return user;
  }
}
