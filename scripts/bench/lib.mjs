/**
 * Shared pieces of the benchmarks in scripts/bench: run the real `hotline` binary, start a server as a
 * child process, summary statistics, and cleanup of every temp dir and child process (also on Ctrl-C).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(ROOT, 'packages/cli/bin/run.js');

const children = new Set();
const groups = new Set();
const dirs = new Set();

export function cleanup() {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
  for (const child of groups) {
    try {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* gone already */
    }
  }
  groups.clear();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}
process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    cleanup();
    process.exit(130);
  });
}

export function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), `hotline-bench-${prefix}-`));
  dirs.add(dir);
  return dir;
}

export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
  dirs.delete(dir);
}

/** The environment of a child `hotline`: no HOTLINE_* or NODE_ENV from the caller, plus `env`. */
export function childEnv(env = {}) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('HOTLINE_') && k !== 'NODE_ENV'));
  return { ...base, ...env };
}

/** BENCH_NODE_ARGS (space-separated) go to node before the CLI, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile the server. */
export function spawnCli(args, env = {}) {
  const nodeArgs = process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ').filter(Boolean) : [];
  const child = spawn(process.execPath, [...nodeArgs, BIN, ...args], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/**
 * Spawn any program (SIPp, Kamailio) in its own process group; cleanup() kills the whole group, so
 * programs that fork workers (Kamailio) leave nothing behind.
 */
export function spawnGroup(cmd, args, opts = {}) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], ...opts, detached: true });
  groups.add(child);
  child.once('exit', () => groups.delete(child));
  return child;
}

/** Signal a process group started by spawnGroup and wait for its leader to exit (SIGKILL after `graceMs`). */
export async function stopGroup(child, signal = 'SIGTERM', graceMs = 3000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const kill = (sig) => {
    try {
      process.kill(-child.pid, sig);
    } catch {
      /* gone already */
    }
  };
  kill(signal);
  const timer = setTimeout(() => kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  kill('SIGKILL'); // workers of the group that outlived the leader
}

/** Run `hotline <args>` to completion: exit code, output and wall time from spawn to exit. */
export function runCli(args, env = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawnCli(args, env);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - t0 }));
  });
}

/** Resolve with the parsed ready line of `hotline server start --json`; reject if it exits first. */
export function readyLine(child, timeoutMs = 30_000) {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`no ready line within ${timeoutMs} ms\n${err}`)), timeoutMs);
    child.stderr.setEncoding('utf8').on('data', (d) => (err += d));
    child.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.includes('"status":"ready"'));
      if (!line) return;
      clearTimeout(timer);
      resolve(JSON.parse(line));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before it was ready\n${err}`));
    });
  });
}

/** SIGTERM and wait for the exit; returns the exit code (null when killed by a signal). */
export async function stopServer(child) {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

export function serverArgs(dataDir, extra = []) {
  return ['server', 'start', '--json', '--data-dir', dataDir, '--http-port', '0', '--sip-port', '0', '--ws-port', '0', '--log-level', 'warn', ...extra];
}

export function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  return { n: sorted.length, min: sorted[0], median, p90: at(0.9), max: sorted.at(-1) };
}

export function fmt(s, keys = ['min', 'median', 'max']) {
  return keys.map((k) => `${k} ${Math.round(s[k])} ms`).join('  ');
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Remove `--name value` from `args` (mutated) and return the value, or undefined. */
export function takeOption(args, name) {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const [, v] = args.splice(i, 2);
  return v;
}

/** Latency figures (ms) of a sample: min, median, p95, p99, max. */
export function latency(ms) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
  return { min: s[0], median: at(0.5), p95: at(0.95), p99: at(0.99), max: s.at(-1) };
}

/**
 * A uniquely named, empty utf8mb4 database on the MySQL/MariaDB server of `serverUrl`
 * (mysql://user:pass@host:port/...); `drop()` removes it.
 */
export async function mysqlDatabase(serverUrl) {
  const { createConnection } = await import('mysql2/promise');
  const base = new URL(serverUrl.replace(/^mariadb:/, 'mysql:'));
  const name = `hotline_bench_${randomBytes(4).toString('hex')}`;
  const admin = () => createConnection({ host: base.hostname, port: Number(base.port || 3306), user: decodeURIComponent(base.username), password: decodeURIComponent(base.password) });
  const c = await admin();
  await c.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await c.end();
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: async () => { const d = await admin(); await d.query(`DROP DATABASE IF EXISTS \`${name}\``); await d.end(); } };
}
