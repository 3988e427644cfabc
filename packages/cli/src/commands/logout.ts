import { Flags } from '@oclif/core';
import { PlainErrorsCommand } from '../plain-errors.js';

export interface LogoutResult {
  profile: string;
  removed: boolean;
  current: string | null;
}

export default class Logout extends PlainErrorsCommand<typeof Logout> {
  static override description = `Forget a saved profile (its server URL and token)

Removes the profile from <config dir>/profiles.json; the token itself stays valid on the server (revoke it with \`hotline tokens revoke\`). Without --profile, the current profile is removed. Logging out of a profile that does not exist is not an error.`;

  static override examples = ['<%= config.bin %> logout', '<%= config.bin %> logout --profile staging'];

  static override flags = {
    profile: Flags.string({ description: 'profile to remove (default: the current one) [env: HOTLINE_PROFILE]', env: 'HOTLINE_PROFILE' }),
  };

  async run(): Promise<LogoutResult> {
    const store = this.profiles();
    const data = store.read();
    const name = this.flags.profile ?? data.current ?? 'default';
    const removed = name in data.profiles;
    if (removed) {
      delete data.profiles[name];
      if (data.current === name) data.current = undefined;
      store.write(data);
      this.log(`Logged out: removed profile "${name}".`);
      this.note('The token is still valid on the server; `hotline tokens revoke` revokes it.');
    } else {
      this.log(`Not logged in: there is no profile "${name}".`);
    }
    return { profile: name, removed, current: data.current ?? null };
  }
}
