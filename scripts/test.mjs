#!/usr/bin/env node
/**
 * The whole test suite: `npm test` (README) and CI (.ci/run) run this.
 *
 *   1. build   npm run build (tsc -b)
 *   2. lint    eslint .
 *   3. layers  dependency-cruiser (.dependency-cruiser.cjs)
 *   4. tests   ava --tap over every compiled test (packages/<pkg>/dist/test/**), streamed as it runs
 *
 * and then, as the very last line, `N passed, N failed, N skipped` counted from the TAP stream (todo
 * tests count as skipped). A failed build, lint or layer check counts as one failed test. The exit code is
 * 0 only when everything passed.
 *
 * Extra arguments go to ava, e.g. `npm test -- --match '*agents*'` or `node scripts/test.mjs packages/cli`.
 * MySQL/MariaDB storage tests run only when HOTLINE_TEST_MYSQL_URL is set.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const MYSQL_NOTE =
  'note: HOTLINE_TEST_MYSQL_URL is not set, so the MySQL/MariaDB storage tests are SKIPPED (SQLite only).\n' +
  '      To run them too: HOTLINE_TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test npm test\n' +
  '      (any user allowed to CREATE and DROP databases; each test makes and drops its own).';

function say(line) {
  process.stdout.write(`${line}\n`);
}

/** Run a command with inherited stdio (or with stdout handed to `onStdout`); resolves to its exit code. */
function run(cmd, args, onStdout) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd: root,
      stdio: ['ignore', onStdout ? 'pipe' : 'inherit', 'inherit'],
      env: process.env,
    });
    if (onStdout) {
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', onStdout);
    }
    child.on('error', (err) => {
      process.stderr.write(`cannot run ${cmd}: ${err.message}\n`);
      resolve(127);
    });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

async function step(name, cmd, args) {
  say(`\n== ${name}: ${[cmd, ...args].map((a) => relative(root, a) || a).join(' ')}`);
  const started = Date.now();
  const code = await run(cmd, args);
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  say(code === 0 ? `== ${name}: ok (${secs}s)` : `== ${name}: FAILED with exit code ${code} (${secs}s)`);
  return code === 0;
}

/** Compiled tests whose TypeScript source is gone (tsc -b never deletes outputs) would run stale: remove them. */
function pruneStaleCompiledTests() {
  const pkgs = join(root, 'packages');
  for (const pkg of readdirSync(pkgs)) {
    const distTest = join(pkgs, pkg, 'dist', 'test');
    if (!existsSync(distTest)) continue;
    for (const entry of readdirSync(distTest, { recursive: true })) {
      const file = String(entry);
      if (!file.endsWith('.test.js')) continue;
      const base = join(pkgs, pkg, 'test', file.slice(0, -'.js'.length));
      if (['.ts', '.tsx', '.mts'].some((ext) => existsSync(base + ext))) continue;
      for (const suffix of ['.js', '.js.map', '.d.ts', '.d.ts.map']) {
        rmSync(join(distTest, file.slice(0, -'.js'.length) + suffix), { force: true });
      }
      say(`note: removed stale compiled test ${relative(root, join(distTest, file))} (its source is gone)`);
    }
  }
}

/** Counts `ok` / `not ok` lines of a TAP stream; `# SKIP` and `# TODO` directives count as skipped. */
class TapCounter {
  passed = 0;
  failed = 0;
  skipped = 0;
  #rest = '';

  push(chunk) {
    const lines = (this.#rest + chunk).split('\n');
    this.#rest = lines.pop() ?? '';
    for (const line of lines) this.#line(line);
  }

  end() {
    if (this.#rest) this.#line(this.#rest);
    this.#rest = '';
  }

  #line(raw) {
    const line = raw.replace(/\r$/, '');
    const m = /^(not ok|ok)\b(.*)$/.exec(line);
    if (!m) return;
    if (/\s#\s*(skip|todo)\b[^#]*$/i.test(m[2])) this.skipped++;
    else if (m[1] === 'ok') this.passed++;
    else this.failed++;
  }
}

const avaArgs = process.argv.slice(2);
const started = Date.now();
const mysql = Boolean(process.env['HOTLINE_TEST_MYSQL_URL']);
if (!mysql) say(MYSQL_NOTE);
else say(`MySQL/MariaDB storage tests: on (HOTLINE_TEST_MYSQL_URL is set)`);

const failedSteps = [];
const built = await step('build', npm, ['run', 'build', '--silent']);
if (!built) failedSteps.push('build');
if (!(await step('lint', bin('eslint'), ['.']))) failedSteps.push('lint');
if (!(await step('layers', bin('depcruise'), ['packages', '--config', '.dependency-cruiser.cjs']))) failedSteps.push('layers');

const tap = new TapCounter();
if (built) {
  pruneStaleCompiledTests();
  say(`\n== tests: ava --tap ${avaArgs.join(' ')}`.trimEnd());
  const t0 = Date.now();
  const code = await run(bin('ava'), ['--tap', ...avaArgs], (chunk) => {
    process.stdout.write(chunk);
    tap.push(chunk);
  });
  tap.end();
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  if (code !== 0 && tap.failed === 0) {
    // ava failed without a failing test in the TAP stream (no test files, a crash, a config error, ...).
    failedSteps.push(`ava (exit code ${code})`);
  }
  say(`== tests: ${code === 0 ? 'ok' : `FAILED with exit code ${code}`} (${secs}s)`);
} else {
  say('\n== tests: not run, the build failed');
}

const failed = tap.failed + failedSteps.length;
say('');
if (failedSteps.length) say(`failed steps: ${failedSteps.join(', ')}`);
if (!mysql) say('note: MySQL/MariaDB storage tests were skipped (set HOTLINE_TEST_MYSQL_URL to run them).');
say(`total time ${((Date.now() - started) / 1000).toFixed(1)}s`);
say(`${tap.passed} passed, ${failed} failed, ${tap.skipped} skipped`);
process.exitCode = failed === 0 ? 0 : 1;
