import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface Profile {
  url: string;
  token: string;
}

export interface ProfilesFile {
  current?: string;
  profiles: Record<string, Profile>;
}

export const DEFAULT_URL = 'http://127.0.0.1:8080';

/** Profiles live in `<configDir>/profiles.json` (mode 0600): `hotline login` writes, every command reads. */
export class ProfileStore {
  readonly path: string;

  constructor(configDir: string) {
    this.path = join(configDir, 'profiles.json');
  }

  read(): ProfilesFile {
    try {
      const data = JSON.parse(readFileSync(this.path, 'utf8')) as ProfilesFile;
      return { current: data.current, profiles: data.profiles ?? {} };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { profiles: {} };
      throw new Error(`cannot read ${this.path}: ${(err as Error).message}`, { cause: err });
    }
  }

  write(data: ProfilesFile): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    writeFileSync(this.path, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
    chmodSync(this.path, 0o600);
  }

  save(name: string, profile: Profile, makeCurrent: boolean): void {
    const data = this.read();
    data.profiles[name] = profile;
    if (makeCurrent || !data.current) data.current = name;
    this.write(data);
  }

  get(name?: string): { name: string; profile: Profile } | undefined {
    const data = this.read();
    const n = name ?? data.current;
    if (!n) return undefined;
    const profile = data.profiles[n];
    return profile ? { name: n, profile } : undefined;
  }
}
