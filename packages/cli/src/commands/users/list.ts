import type { User } from '@hotline/server/client';
import { HotlineCommand } from '../../base.js';
import { userColumns } from '../../views.js';

export default class UsersList extends HotlineCommand<typeof UsersList> {
  static override description = 'List users';
  static override examples = ['<%= config.bin %> users list', '<%= config.bin %> users list --json'];

  async run(): Promise<User[]> {
    const users = await this.client().users.list();
    this.table(users, userColumns, '(no users)');
    return users;
  }
}
