#!/usr/bin/env node
/**
 * Benchmark: how long `hotline server start` takes from spawn until GET /v1/health answers 200.
 *
 *   npm run build && node scripts/bench/start-to-healthy.mjs [runs]
 *
 * Each run spawns `node packages/cli/bin/run.js server start` on SQLite with ports 0, reads the HTTP
 * port from the --json ready line and polls /v1/health every 10 ms. "cold" runs use a fresh data dir
 * each (database created, migrations run, first admin and token created); "warm" runs restart on one
 * data dir that already has all of that. Each server is stopped with SIGTERM and must exit 0. Prints
 * min/median/max; the target is < 1500 ms. Temp dirs and child processes are removed at the end.
 */
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { BIN, cleanup, fmt, readyLine, removeDir, serverArgs, sleep, spawnCli, stats, stopServer, tempDir } from './lib.mjs';

const TARGET_MS = 1500;
const runs = Number(process.argv[2] ?? 5);

if (!existsSync(BIN.replace('bin/run.js', 'dist/src/commands/server/start.js'))) {
  console.error('build first: npm run build');
  process.exit(1);
}

async function healthy(url, deadline) {
  for (;;) {
    try {
      const res = await fetch(`${url}/v1/health`);
      if (res.status === 200) return;
    } catch {
      /* not yet */
    }
    if (performance.now() > deadline) throw new Error(`${url}/v1/health did not answer 200 in time`);
    await sleep(10);
  }
}

/** One start: ms to the ready line and to the first 200 from /v1/health. */
async function once(dataDir) {
  const t0 = performance.now();
  const child = spawnCli(serverArgs(dataDir));
  const ready = await readyLine(child);
  const tReady = performance.now() - t0;
  await healthy(ready.http.url, t0 + 30_000);
  const tHealthy = performance.now() - t0;
  const code = await stopServer(child);
  if (code !== 0) throw new Error(`server exited ${code} after SIGTERM`);
  return { tReady, tHealthy, created: ready.tokenCreated };
}

async function series(label, dirFor) {
  const results = [];
  for (let i = 0; i < runs; i++) results.push(await once(dirFor(i)));
  const healthyStats = stats(results.map((r) => r.tHealthy));
  const readyStats = stats(results.map((r) => r.tReady));
  const verdict = healthyStats.max < TARGET_MS ? 'within target' : healthyStats.median < TARGET_MS ? 'median within target' : 'OVER TARGET';
  console.log(`${label.padEnd(5)} spawn -> healthy: ${fmt(healthyStats)}   (ready line: median ${Math.round(readyStats.median)} ms)   ${verdict}`);
  return results;
}

try {
  console.log(`hotline server start -> GET /v1/health 200, SQLite, ${runs} runs each, target < ${TARGET_MS} ms (node ${process.version}, ${cpus().length} CPUs)`);
  const cold = await series('cold', () => tempDir('cold'));
  if (!cold.every((r) => r.created)) throw new Error('a cold start did not create the admin token');
  const warmDir = tempDir('warm');
  await once(warmDir); // creates the database; not measured
  const warm = await series('warm', () => warmDir);
  if (warm.some((r) => r.created)) throw new Error('a warm start recreated the admin token');
  removeDir(warmDir);
} catch (err) {
  console.error(`bench failed: ${err.message}`);
  process.exitCode = 1;
} finally {
  cleanup();
}
