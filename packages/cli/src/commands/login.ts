import { readFileSync } from 'node:fs';
import { HotlineClient, type Me } from '@hotline/server/client';
import { Flags } from '@oclif/core';
import { CliFailure } from '../base.js';
import { PlainErrorsCommand } from '../plain-errors.js';
import { ExitCode } from '../exit-codes.js';
import { maskToken, readSecret } from '../login-input.js';
import { DEFAULT_URL } from '../profiles.js';

export interface LoginResult {
  profile: string;
  server: string;
  user: { name: string; role: string; displayName?: string | null };
  agent: string | null;
  token: string;
  profilesFile: string;
}

export default class Login extends PlainErrorsCommand<typeof Login> {
  static override description = `Check an API token against a server and save both as a profile

The token comes from --token, --token-file, $HOTLINE_TOKEN, or stdin when stdin is not a terminal (on a terminal it is asked for, without echo). It is verified with GET /v1/me before anything is saved; a rejected token exits 4 and saves nothing. Profiles live in <config dir>/profiles.json (mode 0600; $XDG_CONFIG_HOME/hotline by default). The profile logged in to becomes the current one. Commands then connect with: flags, then HOTLINE_URL/HOTLINE_TOKEN, then the profile.`;

  static override examples = [
    '<%= config.bin %> login --server http://127.0.0.1:8080 --token-file data/admin.token',
    'printf %s "$TOKEN" | <%= config.bin %> login --server https://hotline.example.com --profile prod',
  ];

  // Own definitions: here --token must not silently come from the environment before --token-file.
  static override flags = {
    server: Flags.string({ description: 'server URL [env: HOTLINE_URL] (default: the profile\'s, else http://127.0.0.1:8080)', env: 'HOTLINE_URL' }),
    token: Flags.string({ description: 'API token (visible in the process list; prefer --token-file or stdin)', exclusive: ['token-file'] }),
    'token-file': Flags.string({ description: 'read the API token from this file (e.g. <dataDir>/admin.token)' }),
    profile: Flags.string({ description: 'profile name to save [env: HOTLINE_PROFILE]', env: 'HOTLINE_PROFILE', default: 'default' }),
  };

  async run(): Promise<LoginResult> {
    const store = this.profiles();
    const name = this.flags.profile ?? 'default';
    const url = (this.flags.server ?? store.get(name)?.profile.url ?? DEFAULT_URL).replace(/\/+$/, '');
    if (!/^https?:\/\/[^/]/.test(url)) throw new CliFailure(`not an http(s) URL: ${url}`, ExitCode.usage, 'bad_url');
    const token = await this.token();
    let me: Me;
    try {
      me = await new HotlineClient({ url, token }).me();
    } catch (err) {
      const f = PlainErrorsCommand.failureOf(err);
      if (f?.exit === ExitCode.auth) throw new CliFailure(`the server at ${url} rejected the token (${f.message}); nothing was saved`, ExitCode.auth, f.reason, [], f.status);
      throw err;
    }
    store.save(name, { url, token }, true);
    const who = me.user.displayName ? `${me.user.name} (${me.user.displayName})` : me.user.name;
    this.log(`Logged in to ${url} as ${who}, role ${me.user.role}${me.agent ? `, agent ${me.agent.extension}` : ''}.`);
    this.note(`saved as profile "${name}" (current) in ${store.path}`);
    return {
      profile: name,
      server: url,
      user: { name: me.user.name, role: me.user.role, displayName: me.user.displayName },
      agent: me.agent?.extension ?? null,
      token: maskToken(token),
      profilesFile: store.path,
    };
  }

  private async token(): Promise<string> {
    let token: string | undefined;
    let from: string;
    if (this.flags.token !== undefined) {
      [token, from] = [this.flags.token, '--token'];
    } else if (this.flags['token-file'] !== undefined) {
      const file = this.flags['token-file'];
      try {
        token = readFileSync(file, 'utf8');
      } catch (err) {
        throw new CliFailure(`cannot read the token file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, ExitCode.usage, 'unreadable_token_file');
      }
      from = file;
    } else if (process.env['HOTLINE_TOKEN']) {
      [token, from] = [process.env['HOTLINE_TOKEN'], 'HOTLINE_TOKEN'];
    } else {
      token = await readSecret('API token: ');
      from = process.stdin.isTTY ? 'the prompt' : 'stdin';
    }
    token = token?.trim();
    if (!token) {
      throw new CliFailure(`no API token (empty ${from}): pass --token, --token-file, or pipe the token on stdin`, ExitCode.usage, 'no_token');
    }
    if (/\s/.test(token)) throw new CliFailure(`the token from ${from} contains whitespace; a token is one word`, ExitCode.usage, 'bad_token');
    return token;
  }
}
