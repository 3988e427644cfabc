import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';

/** The repository root, from packages/cli/dist/test/ (compiled) or packages/cli/test/ (source). */
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, here.includes(join('dist', 'test')) ? '../../../..' : '../../..');

test('docs/cli.md matches the commands and exit codes (fix: npm run docs)', (t) => {
  const r = spawnSync(process.execPath, [join(root, 'scripts/cli-doc.mjs'), '--check'], { cwd: root, encoding: 'utf8' });
  t.is(r.status, 0, `${r.stderr}${r.stdout}`);
});
