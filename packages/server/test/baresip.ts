/**
 * baresip (Debian package baresip-core) as a real SIP peer for tests: find it on PATH, start it with a
 * config directory of its own (removed afterwards), collect its output, and stop it in the teardown.
 * `-t` makes baresip quit by itself even if the test process dies before the teardown runs.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { ExecutionContext } from 'ava';

/** baresip on PATH, or undefined. */
export function findBaresip(): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    const p = join(dir, 'baresip');
    if (dir && existsSync(p)) return p;
  }
  return undefined;
}

export interface Baresip {
  /** Everything baresip printed so far (stdout and stderr). */
  output(): string;
}

/** Start `bin` with `accounts` and `config` (file contents) in a fresh directory; quits after `maxSeconds`. */
export function startBaresip(t: ExecutionContext, bin: string, files: { accounts: string; config: string }, maxSeconds = 120): Baresip {
  const dir = mkdtempSync(join(tmpdir(), 'hotline-baresip-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'accounts'), files.accounts);
  writeFileSync(join(dir, 'config'), files.config);
  const child = spawn(bin, ['-4', '-n', '127.0.0.1', '-f', dir, '-t', String(maxSeconds)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  t.teardown(async () => {
    process.off('exit', kill);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      kill();
      await exited;
    }
  });
  return { output: () => output };
}
