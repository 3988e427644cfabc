import { PlainErrorsCommand } from '../../plain-errors.js';
import { maskToken } from '../../login-input.js';

export interface ProfileRow {
  name: string;
  current: boolean;
  server: string;
  /** Masked: `hlt_<publicId>_…`, never the secret. */
  token: string;
}

export default class ProfilesList extends PlainErrorsCommand<typeof ProfilesList> {
  static override description = 'List the profiles saved by `hotline login` (tokens are masked)';
  static override examples = ['<%= config.bin %> profiles list', '<%= config.bin %> profiles list --json'];

  async run(): Promise<ProfileRow[]> {
    const data = this.profiles().read();
    const rows = Object.entries(data.profiles)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, p]): ProfileRow => ({ name, current: name === data.current, server: p.url, token: maskToken(p.token) }));
    this.table(rows, [
      { header: ' ', get: (r) => (r.current ? '*' : ' ') },
      { header: 'name', get: (r) => r.name },
      { header: 'server', get: (r) => r.server },
      { header: 'token', get: (r) => r.token },
    ], '(no profiles; run `hotline login`)');
    return rows;
  }
}
