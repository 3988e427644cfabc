/**
 * Bench-only preload for the server under scripts/bench/sip-load.mjs (`node --expose-gc --require`):
 * on SIGUSR2, run a full garbage collection and write process.memoryUsage() as JSON to the file named
 * by BENCH_MEMORY_FILE, so the benchmark reads live heap, not garbage that V8 has not collected yet.
 */
'use strict';
const { writeFileSync, renameSync } = require('node:fs');

const file = process.env.BENCH_MEMORY_FILE;
if (file) {
  process.on('SIGUSR2', () => {
    if (typeof global.gc === 'function') {
      global.gc();
      global.gc();
    }
    writeFileSync(`${file}.tmp`, JSON.stringify({ at: Date.now(), ...process.memoryUsage() }));
    renameSync(`${file}.tmp`, file);
  });
}
