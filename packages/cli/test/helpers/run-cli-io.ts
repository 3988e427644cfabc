/**
 * `runCli` (run-cli.ts) plus what the center and login tests need: a working directory (so file names
 * print as written) and text on stdin (`apply -f -`, `login` with a piped token). Same clean
 * environment as run-cli.ts (cliEnv).
 */
import { spawn } from 'node:child_process';
import { BIN, cliEnv, type CliResult } from './run-cli.js';

export interface IoOptions {
  cwd?: string;
  /** Written to stdin, which is then closed; without it stdin is /dev/null. */
  input?: string;
  timeoutMs?: number;
}

export function runCliIo(args: string[], env: Record<string, string | undefined>, opts: IoOptions): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      // NODE_ENV=test (set by ava) would put oclif in development mode; run it as users do.
      env: cliEnv({ NODE_ENV: undefined, ...env }),
      cwd: opts.cwd,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hotline ${args.join(' ')} did not finish within ${opts.timeoutMs ?? 60_000} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, opts.timeoutMs ?? 60_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    if (opts.input !== undefined) child.stdin!.end(opts.input);
  });
}
