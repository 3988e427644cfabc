/**
 * Run the real `hotline` CLI (bin/run.js over the compiled commands) as a child process.
 *
 * The child gets a clean environment: the caller's HOTLINE_* and colour variables are dropped, and
 * XDG_CONFIG_HOME points at a temporary directory (one per test process, removed at exit) so no
 * saved profile of the person running the tests leaks in. Pass `env` to set HOTLINE_URL,
 * HOTLINE_TOKEN or to override XDG_CONFIG_HOME. stdin is closed (/dev/null) unless `input` is given.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** packages/cli/bin/run.js, from packages/cli/dist/test/helpers/run-cli.js. */
export const BIN = fileURLToPath(new URL('../../../bin/run.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

let configHome: string | undefined;
function defaultConfigHome(): string {
  if (!configHome) {
    configHome = mkdtempSync(join(tmpdir(), 'hotline-cli-test-'));
    const dir = configHome;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return configHome;
}

/**
 * The environment for a CLI child: ours without HOTLINE_*, FORCE_COLOR and NODE_OPTIONS, with
 * XDG_CONFIG_HOME from `configHome()` (default: this process's temporary one), then `env` on top;
 * a key set to undefined in `env` is removed.
 */
export function cliEnv(env: Record<string, string | undefined> = {}, configHome: () => string = defaultConfigHome): NodeJS.ProcessEnv {
  const base = Object.fromEntries(
    // ava sets NODE_ENV=test, which would put oclif in development mode in the child: drop it.
    Object.entries(process.env).filter(([k]) => !k.startsWith('HOTLINE_') && !['FORCE_COLOR', 'NODE_OPTIONS', 'NODE_ENV'].includes(k)),
  );
  const merged: NodeJS.ProcessEnv = { ...base, XDG_CONFIG_HOME: configHome(), ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete merged[k];
  return merged;
}

function spawnCli(args: string[], env: Record<string, string | undefined>, opts: RunOptions = {}): ChildProcess {
  const stdin = opts.input === undefined ? 'ignore' : 'pipe';
  const child = spawn(process.execPath, [BIN, ...args], { env: cliEnv(env), cwd: opts.cwd, stdio: [stdin, 'pipe', 'pipe'] });
  // The child may exit without reading its input; that is its business, not a crash of the test.
  if (opts.input !== undefined) child.stdin!.on('error', () => undefined).end(opts.input);
  return child;
}

export interface RunOptions {
  /** Working directory of the child (default: ours). */
  cwd?: string;
  /** Written to the child's stdin, which is then closed (default: stdin is /dev/null). */
  input?: string;
  /** Kill the child and reject after this long (default 60 s). */
  timeoutMs?: number;
}

/** Run to completion; rejects (and kills the child) if it takes longer than `opts.timeoutMs`. */
export function runCli(args: string[], env: Record<string, string | undefined> = {}, opts: RunOptions = {}): Promise<CliResult> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, env, opts);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hotline ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A CLI process that keeps running (e.g. `events tail --follow`), with waits on its output. */
export interface RunningCli {
  child: ChildProcess;
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves once `stream`'s output so far matches; rejects after `timeoutMs` or if the process exits first. */
  waitFor(stream: 'stdout' | 'stderr', pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code (or the signal name) once the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Kill it if it still runs (safe to call from a teardown). */
  stop(): void;
}

export function startCli(args: string[], env: Record<string, string | undefined>): RunningCli {
  const child = spawnCli(args, env);
  const out = { stdout: '', stderr: '' };
  let ended = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => {
      ended = true;
      resolve({ code, signal });
    });
  });
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out.stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out.stderr += d));
  const waitFor = (stream: 'stdout' | 'stderr', pattern: RegExp, timeoutMs = 15_000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!pattern.test(out[stream])) return ended ? fail(`the process exited (${String(child.exitCode)})`) : undefined;
        cleanup();
        resolve();
      };
      const fail = (why: string) => {
        cleanup();
        reject(new Error(`${why} before its ${stream} matched ${String(pattern)}\nstdout: ${out.stdout}\nstderr: ${out.stderr}`));
      };
      const timer = setTimeout(() => fail(`${timeoutMs} ms passed`), timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        child.stderr!.off('data', check);
        child.off('close', check);
      };
      child.stdout!.on('data', check);
      child.stderr!.on('data', check);
      child.on('close', check);
      check();
    });
  return {
    child,
    get stdout() {
      return out.stdout;
    },
    get stderr() {
      return out.stderr;
    },
    waitFor,
    exited,
    stop: () => {
      if (!ended) child.kill('SIGKILL');
    },
  };
}
