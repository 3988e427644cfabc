import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, cliEnv } from './run-cli.js';

/** The JSON line `hotline server start --json` prints once ready. */
export interface ReadyLine {
  status: 'ready';
  version: string;
  http: { url: string; host: string; port: number };
  sip: Record<'udp' | 'tcp' | 'ws', { host: string; port: number } | null>;
  db: string;
  dataDir: string;
  tokenFile: string | null;
  tokenCreated: boolean;
  pid: number;
}

export interface ServerProcess {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves when stdout matches `pattern`; rejects when the process exits first or the deadline passes. */
  waitForStdout(pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code and signal (at once if it already exited). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL if still running (teardown). */
  kill(): void;
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'hotline-start-'));
}

/** Ports 0 everywhere and a quiet log unless the caller says otherwise. */
export function startArgs(dataDir: string, extra: string[] = []): string[] {
  const level = extra.includes('--log-level') ? [] : ['--log-level', 'warn'];
  return ['server', 'start', '--data-dir', dataDir, '--http-port', '0', '--sip-port', '0', '--ws-port', '0', ...level, ...extra];
}

/** `hotline server start ...` as a real child process, stdin closed, HOTLINE_* and NODE_ENV cleared. */
export function spawnServer(args: string[], env: Record<string, string | undefined> = {}): ServerProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    // NODE_ENV=test (set by ava) would put oclif in development mode; run it as users do.
    env: cliEnv({ NODE_ENV: undefined, ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  }) as unknown as ChildProcessWithoutNullStreams;
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
    waitForStdout: (pattern, ms = 60_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const m = out.match(pattern);
          if (!m) return false;
          cleanup();
          resolve(m);
          return true;
        };
        const onExit = (code: number | null) => {
          if (check()) return;
          cleanup();
          reject(new Error(`server exited (${code}) before printing ${pattern}\nstdout: ${out}\nstderr: ${err}`));
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no ${pattern} on stdout within ${ms} ms\nstdout: ${out}\nstderr: ${err}`));
        }, ms);
        const cleanup = () => {
          clearTimeout(timer);
          child.stdout.off('data', check);
          child.off('exit', onExit);
        };
        child.stdout.on('data', check);
        child.once('exit', onExit);
        if (child.exitCode !== null) onExit(child.exitCode);
        else check();
      }),
  };
}

/** Wait for the `--json` ready line and parse it. */
export async function readyOf(p: ServerProcess): Promise<ReadyLine> {
  const m = await p.waitForStdout(/^(\{.*"status":"ready".*\})$/m);
  return JSON.parse(m[1]!) as ReadyLine;
}
