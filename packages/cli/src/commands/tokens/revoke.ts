import type { Token } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { HotlineCommand } from '../../base.js';

export default class TokensRevoke extends HotlineCommand<typeof TokensRevoke> {
  static override description = 'Revoke an API token (it stops working at once)';
  static override examples = ['<%= config.bin %> tokens revoke 3f9c2a7d1b', '<%= config.bin %> tokens revoke 3f9c2a7d1b --json'];
  static override args = { id: Args.string({ description: 'token id, as `tokens list` shows it', required: true }) };

  async run(): Promise<Token> {
    const t = await this.client().tokens.revoke(this.args.id);
    this.note(`revoked token ${t.id} (${t.name}) of user ${t.user}`);
    return t;
  }
}
