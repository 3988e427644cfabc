import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserRow } from '../db/entities/index.js';
import { systemActor, type Store } from '../events/changes.js';
import type { Tokens } from './tokens.js';
import type { Users } from './users.js';

export interface BootstrapResult {
  /** Path of the token file when this start created the first admin, else null. */
  tokenFile: string | null;
}

/**
 * On the first start (no users at all): create the `admin` user and one token for it, written to
 * `<dataDir>/admin.token` with mode 0600. The token is never logged; only the file's path is.
 */
export async function bootstrap(store: Store, users: Users, tokens: Tokens, dataDir: string): Promise<BootstrapResult> {
  return store.writer.run(async (tx) => {
    await users.seedRoles(tx.em);
    if ((await tx.em.count(UserRow)) > 0) return { tokenFile: null };
    await users.create(tx, systemActor, { name: 'admin', role: 'admin', displayName: 'Administrator' });
    const adminActor = { ...systemActor, name: 'admin', userId: (await users.row('admin', tx.em)).id };
    const minted = await tokens.create(tx, adminActor, { name: 'bootstrap' }, true);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const file = join(dataDir, 'admin.token');
    writeFileSync(file, `${minted.token}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    return { tokenFile: file };
  });
}
