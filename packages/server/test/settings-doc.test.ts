import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';

/** The repository root, from packages/server/dist/test/ (compiled) or packages/server/test/ (source). */
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, here.includes(join('dist', 'test')) ? '../../../..' : '../../..');

test('the README settings table matches the config schema (fix: npm run docs)', (t) => {
  const r = spawnSync(process.execPath, [join(root, 'scripts/settings-doc.mjs'), '--check'], { cwd: root, encoding: 'utf8' });
  t.is(r.status, 0, `${r.stderr}${r.stdout}`);
});
