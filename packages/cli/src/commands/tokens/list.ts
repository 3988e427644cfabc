import type { Token } from '@hotline/server/client';
import { Flags } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { tokenColumns } from '../../views.js';

export default class TokensList extends HotlineCommand<typeof TokensList> {
  static override description = 'List API tokens: your own, or everyone\'s for admins (never the secrets)';
  static override examples = ['<%= config.bin %> tokens list', '<%= config.bin %> tokens list --user ann --json'];
  static override flags = { user: Flags.string({ description: 'only this user\'s tokens (admins)' }) };

  async run(): Promise<Token[]> {
    const tokens = await this.client().tokens.list(this.flags.user);
    this.table(tokens, tokenColumns, '(no tokens)');
    return tokens;
  }
}
