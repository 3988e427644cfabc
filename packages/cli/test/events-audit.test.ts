import test from 'ava';
import { normJson, normTimes, TIME } from './helpers/normalize.js';
import { runCli, startCli } from './helpers/run-cli.js';
import { serverFor } from './helpers/server.js';
import { startTcpProxy } from './helpers/tcp-proxy.js';

test('audit list and events tail print a page, filtered', async (t) => {
  const { admin, env } = await serverFor(t);
  const start = (await admin.events.list({ limit: 1000 })).next;
  const auditStart = Math.max(0, ...(await admin.audit.list({ limit: 1000 })).map((a) => a.id));
  await admin.agents.create({ extension: '1001', name: 'Ann' });
  await admin.queues.create({ name: 'support' });
  await admin.queues.members.add('support', { agent: '1001' });

  let r = await runCli(['audit', 'list', '--after', String(auditStart), '--action', 'queue.*'], env);
  t.is(r.code, 0, r.stderr);
  t.is(normTimes(r.stdout), [
    'ID  AT                        ACTOR  ACTION              SUBJECT        SOURCE',
    `${String(auditStart + 2).padEnd(2)}  ${TIME}  admin  queue.created       queue/support  127.0.0.1`,
    `${String(auditStart + 3).padEnd(2)}  ${TIME}  admin  queue.member_added  queue/support  127.0.0.1`,
    '',
  ].join('\n'));

  r = await runCli(['audit', 'list', '--subject-type', 'agent', '--subject-id', '1001', '--actor', 'admin', '--json'], env);
  const agent = { id: 1, extension: '1001', name: 'Ann', user: null, skills: {}, maxChats: 1, hasSipCredentials: false, createdAt: TIME, updatedAt: TIME };
  t.deepEqual(normJson(JSON.parse(r.stdout)), [{
    id: auditStart + 1, at: TIME, actor: 'admin', source: '127.0.0.1', action: 'agent.created', subjectType: 'agent', subjectId: '1001', before: null, after: agent,
  }]);

  r = await runCli(['events', 'tail', '--after', String(start), '--type', 'agent.*,queue.member_added'], env);
  t.is(r.code, 0, r.stderr);
  t.is(normTimes(r.stdout), [
    'CURSOR  TIME                      TYPE                SUBJECT        BY',
    `${String(start + 1).padEnd(6)}  ${TIME}  agent.created       agent/1001     admin`,
    `${String(start + 3).padEnd(6)}  ${TIME}  queue.member_added  queue/support  admin`,
    '',
  ].join('\n'));
  t.is(r.stderr, '');

  r = await runCli(['events', 'tail', '--after', String(start), '--limit', '1', '--json'], env);
  t.deepEqual(normJson(JSON.parse(r.stdout)), [{
    cursor: start + 1, type: 'agent.created', at: TIME, subjectType: 'agent', subjectId: '1001', agentId: '1001', queueId: null, callId: null,
    payload: { by: 'admin', after: agent },
  }]);
});

test('events tail --follow prints live events until SIGTERM, then exits 0', async (t) => {
  const { admin, env } = await serverFor(t);
  const cli = startCli(['events', 'tail', '--follow', '--type', 'agent.*'], env);
  t.teardown(() => cli.stop());
  await cli.waitFor('stderr', /-- live after cursor \d+ \(Ctrl-C to stop\) --\n/);
  await admin.queues.create({ name: 'support' }); // filtered out
  await admin.agents.create({ extension: '1001', name: 'Ann' });
  await cli.waitFor('stdout', /agent\/1001/);
  const cursor = (await admin.events.list({ types: ['agent.created'] })).next;
  cli.child.kill('SIGTERM');
  t.deepEqual(await cli.exited, { code: 0, signal: null });
  t.is(normTimes(cli.stdout), `${cursor}  ${TIME}  agent.created  agent/1001  admin\n`);
  t.is(cli.stderr, `-- live after cursor ${cursor - 2} (Ctrl-C to stop) --\n`);
});

test('events tail --follow --json writes NDJSON from a cursor (replay, then live) until SIGINT', async (t) => {
  const { admin, env } = await serverFor(t);
  await admin.agents.create({ extension: '1001', name: 'Ann' });
  const after = (await admin.events.list({ limit: 1000 })).next;
  await admin.agents.update('1001', { maxChats: 2 }); // replayed
  const cli = startCli(['events', 'tail', '--follow', '--after', String(after), '--json'], env);
  t.teardown(() => cli.stop());
  await cli.waitFor('stdout', /"agent\.updated".*\n/);
  await admin.agents.delete('1001'); // live (or replayed: either way exactly once)
  await cli.waitFor('stdout', /"agent\.deleted".*\n/);
  cli.child.kill('SIGINT');
  t.deepEqual(await cli.exited, { code: 0, signal: null });
  const lines = cli.stdout.split('\n');
  t.is(lines.pop(), '');
  const events = lines.map((l) => JSON.parse(l) as { cursor: number; type: string; payload: { by: string } });
  t.deepEqual(events.map((e) => [e.cursor, e.type, e.payload.by]), [[after + 1, 'agent.updated', 'admin'], [after + 2, 'agent.deleted', 'admin']]);
  t.is(cli.stderr, '');
});

test('events tail --follow reconnects from the last cursor after a lost connection', async (t) => {
  const { admin, env } = await serverFor(t);
  const proxy = await startTcpProxy(env['HOTLINE_URL']!);
  t.teardown(() => proxy.close());
  const cli = startCli(['events', 'tail', '--follow', '--type', 'agent.created', '--limit', '2'], { ...env, HOTLINE_URL: proxy.url });
  t.teardown(() => cli.stop());
  await cli.waitFor('stderr', /-- live after cursor \d+/);
  await admin.agents.create({ extension: '1001', name: 'Ann' });
  await cli.waitFor('stdout', /agent\/1001/);
  proxy.cut();
  await admin.agents.create({ extension: '1002', name: 'Bob' }); // while the follower is away
  t.deepEqual(await cli.exited, { code: 0, signal: null }); // --limit 2 reached
  t.deepEqual(normTimes(cli.stdout).split('\n').map((l) => l.split('  ').slice(2, 4).join(' ')), ['agent.created agent/1001', 'agent.created agent/1002', '']);
  t.regex(cli.stderr, /^-- live after cursor \d+ \(Ctrl-C to stop\) --\nconnection lost \(.+\); retrying in 250 ms after cursor \d+\n/);
});
