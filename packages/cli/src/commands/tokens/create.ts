import type { NewToken } from '@hotline/server/client';
import { Flags } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { defined } from '../../flags.js';

export default class TokensCreate extends HotlineCommand<typeof TokensCreate> {
  static override description = 'Create an API token and print it once (only admins create tokens for other users)';
  static override examples = [
    '<%= config.bin %> tokens create --name laptop',
    'TOKEN=$(<%= config.bin %> tokens create --name ci --user deploy --expires-in-days 90)',
    '<%= config.bin %> tokens create --name ci --json',
  ];
  static override flags = {
    name: Flags.string({ description: 'what the token is for, 1-64 characters', default: 'cli' }),
    user: Flags.string({ description: 'user the token acts as (default: yourself)' }),
    'expires-in-days': Flags.integer({ description: 'expire after this many days, 1-3650 (default: never)' }),
  };

  async run(): Promise<NewToken> {
    const f = this.flags;
    const t = await this.client().tokens.create({ name: f.name, ...defined({ user: f.user, expiresInDays: f['expires-in-days'] }) });
    if (!this.jsonEnabled()) this.log(t.token);
    this.note(`created token ${t.id} (${t.name}) for user ${t.user}${t.expiresAt ? `, expires ${t.expiresAt}` : ''}; it is shown only this once, store it now`);
    return t;
  }
}
