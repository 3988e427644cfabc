import test from 'ava';
import { distance, suggest } from '../src/hooks/not-found.js';
import { runCli } from './helpers/run-cli.js';

test('distance counts a swap of neighbours as one edit', (t) => {
  t.is(distance('agnets:list', 'agents:list'), 1);
  t.is(distance('agents:lst', 'agents:list'), 1);
  t.is(distance('', 'abc'), 3);
});

test('suggest offers the nearest commands and nothing for far-off input', (t) => {
  const ids = ['agents:list', 'agents:show', 'queues:list', 'events:tail'];
  t.deepEqual(suggest('agnets:list', ids), ['agents:list']);
  t.deepEqual(suggest('frobnicate', ids), []);
});

test('an unknown command suggests the nearest one and exits 2 without running anything', async (t) => {
  const r = await runCli(['agnets', 'list']);
  t.is(r.code, 2);
  t.is(r.stdout, '');
  t.regex(r.stderr.replace(/\s*›\s*/g, ' '), /agnets list is not a hotline command\. Did you mean `hotline agents list`\?/);
});

test('an unknown flag is a usage error (exit 2) naming the flag', async (t) => {
  const r = await runCli(['agents', 'list', '--bogus']);
  t.is(r.code, 2);
  t.regex(r.stderr, /Nonexistent flag: --bogus/);
});
