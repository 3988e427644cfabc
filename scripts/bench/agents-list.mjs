#!/usr/bin/env node
/**
 * Benchmark: `hotline agents list --json` end to end with 1,000 agents.
 *
 *   npm run build && node scripts/bench/agents-list.mjs [agents] [runs]
 *
 * Starts `hotline server start` (SQLite, ports 0) as a child process, creates the agents with one
 * `hotline apply -f` of a generated center file, then times `hotline agents list --json` as a child
 * process (spawn to exit, output checked) 10 times, and GET /v1/agents from this process (the
 * server-side part). For comparison it also times `hotline --version`, the floor of any command:
 * Node plus oclif startup. Prints min/median/p90/max; the target is < 300 ms end to end. Temp dirs
 * and child processes are removed at the end.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { BIN, cleanup, fmt, readyLine, runCli, serverArgs, spawnCli, stats, stopServer, tempDir } from './lib.mjs';

const TARGET_MS = 300;
const AGENTS = Number(process.argv[2] ?? 1000);
const RUNS = Number(process.argv[3] ?? 10);
const KEYS = ['min', 'median', 'p90', 'max'];

if (!existsSync(BIN.replace('bin/run.js', 'oclif.manifest.json'))) {
  console.error('note: packages/cli/oclif.manifest.json is missing (run `npm run build`); oclif will import every command on each run');
}

function centerFile(n) {
  const skills = ['english', 'german', 'billing', 'tech'];
  const lines = ['apiVersion: hotline/v1', 'kind: Center', 'skills:', ...skills.map((s) => `  - name: ${s}`), 'agents:'];
  for (let i = 0; i < n; i++) {
    lines.push(`  - extension: "${20000 + i}"`, `    name: Agent ${i}`, `    skills: { ${skills[i % 4]}: ${1 + (i % 10)}, ${skills[(i + 1) % 4]}: 5 }`);
  }
  return `${lines.join('\n')}\n`;
}

async function timed(fn, runs) {
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return stats(ms);
}

let server;
try {
  const dir = tempDir('agents');
  server = spawnCli(serverArgs(join(dir, 'data')));
  const ready = await readyLine(server);
  const token = readFileSync(ready.tokenFile, 'utf8').trim();
  const env = { HOTLINE_URL: ready.http.url, HOTLINE_TOKEN: token, XDG_CONFIG_HOME: join(dir, 'config') };
  console.log(`hotline agents list --json with ${AGENTS} agents, ${RUNS} runs, target < ${TARGET_MS} ms (node ${process.version}, ${cpus().length} CPUs)`);

  const file = join(dir, 'center.yaml');
  writeFileSync(file, centerFile(AGENTS));
  const apply = await runCli(['apply', '-f', file, '--json'], env);
  if (apply.code !== 0) throw new Error(`apply failed (${apply.code}): ${apply.stderr}`);
  console.log(`setup: hotline apply -f (${AGENTS} agents + 4 skills) took ${Math.round(apply.ms)} ms`);

  const floor = await timed(async () => {
    const r = await runCli(['--version'], env);
    if (r.code !== 0) throw new Error(`--version failed: ${r.stderr}`);
  }, RUNS);
  const api = await timed(async () => {
    const res = await fetch(`${ready.http.url}/v1/agents`, { headers: { authorization: `Bearer ${token}` } });
    const agents = await res.json();
    if (res.status !== 200 || agents.length !== AGENTS) throw new Error(`GET /v1/agents: ${res.status}, ${agents.length} agents`);
  }, RUNS);
  const list = await timed(async () => {
    const r = await runCli(['agents', 'list', '--json'], env);
    if (r.code !== 0) throw new Error(`agents list failed (${r.code}): ${r.stderr}`);
    const n = JSON.parse(r.stdout).length;
    if (n !== AGENTS) throw new Error(`agents list returned ${n} agents`);
  }, RUNS);

  console.log(`hotline agents list --json  ${fmt(list, KEYS)}   ${list.median < TARGET_MS ? 'median within target' : 'OVER TARGET'}`);
  console.log(`GET /v1/agents (server)     ${fmt(api, KEYS)}`);
  console.log(`hotline --version (floor)   ${fmt(floor, KEYS)}`);
  const code = await stopServer(server);
  if (code !== 0) throw new Error(`server exited ${code} after SIGTERM`);
} catch (err) {
  console.error(`bench failed: ${err.message}`);
  process.exitCode = 1;
} finally {
  if (server) await stopServer(server);
  cleanup();
}
