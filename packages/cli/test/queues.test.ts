import test from 'ava';
import { flat, normJson, normTimes, TIME } from './helpers/normalize.js';
import { runCli } from './helpers/run-cli.js';
import { serverFor, tokenFor } from './helpers/server.js';

const settings = (over: Record<string, unknown> = {}) => ({
  serviceLevelSeconds: 20, maxWaitSeconds: 0, maxCallers: 0, ringTimeoutSeconds: 15, wrapUpSeconds: 10, priority: 0,
  announcePositionSeconds: 0, joinWhenEmpty: true, requiredSkills: {}, ...over,
});

test('queues create, list, show, update and delete', async (t) => {
  const { admin, env } = await serverFor(t);
  await admin.skills.create({ name: 'billing' });

  let r = await runCli(['queues', 'create', 'support', '--strategy', 'ring-all', '--set', 'serviceLevelSeconds=30', '--set', 'joinWhenEmpty=false', '--set', 'requiredSkills.billing=5'], env);
  t.is(r.code, 0, r.stderr);
  t.is(normTimes(r.stdout), [
    'name:                    support',
    'strategy:                ring-all',
    'serviceLevelSeconds:     30',
    'maxWaitSeconds:          0',
    'maxCallers:              0',
    'ringTimeoutSeconds:      15',
    'wrapUpSeconds:           10',
    'priority:                0',
    'announcePositionSeconds: 0',
    'joinWhenEmpty:           false',
    'requiredSkills:          billing:5',
    'members:                 0',
    `created:                 ${TIME}`,
    `updated:                 ${TIME}`,
    '',
  ].join('\n'));

  r = await runCli(['queues', 'create', 'sales', '--settings-json', '{"priority": 10, "maxWaitSeconds": 300}', '--set', 'priority=7', '--json'], env);
  t.is(r.code, 0, r.stderr);
  const sales = { id: 2, name: 'sales', strategy: 'longest-idle', settings: settings({ priority: 7, maxWaitSeconds: 300 }), members: [], createdAt: TIME, updatedAt: TIME };
  t.deepEqual(normJson(JSON.parse(r.stdout)), sales);

  r = await runCli(['queues', 'update', 'sales', '--strategy', 'random', '--set', 'serviceLevelSeconds=45', '--json'], env);
  t.deepEqual(normJson(JSON.parse(r.stdout)), { ...sales, strategy: 'random', settings: settings({ priority: 7, maxWaitSeconds: 300, serviceLevelSeconds: 45 }) });

  r = await runCli(['queues', 'list'], env);
  t.is(r.stdout, [
    'NAME     STRATEGY  MEMBERS  SL SECONDS  PRIORITY',
    'sales    random    0        45          7',
    'support  ring-all  0        30          0',
    '',
  ].join('\n'));

  r = await runCli(['queues', 'delete', 'sales'], env);
  t.is(r.code, 0);
  t.is(r.stdout, '');
  t.is(r.stderr, 'deleted queue sales\n');
  t.deepEqual((await admin.queues.list()).map((q) => q.name), ['support']);
});

test('queues members add, list and remove; show lists the members', async (t) => {
  const { admin, env } = await serverFor(t);
  await admin.queues.create({ name: 'support' });
  await admin.agents.create({ extension: '1001', name: 'Ann Lee' });
  await admin.agents.create({ extension: '1002', name: 'Bob' });

  let r = await runCli(['queues', 'members', 'add', 'support', '1001'], env);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, 'queue:   support\nagent:   1001\nname:    Ann Lee\npenalty: 0\nlevel:   1\n');

  r = await runCli(['queues', 'members', 'add', 'support', '1002', '--penalty', '5', '--level', '2', '--json'], env);
  t.deepEqual(JSON.parse(r.stdout), { agent: '1002', name: 'Bob', penalty: 5, level: 2 });

  r = await runCli(['queues', 'members', 'list', 'support'], env);
  t.is(r.stdout, 'AGENT  NAME     PENALTY  LEVEL\n1001   Ann Lee  0        1\n1002   Bob      5        2\n');

  r = await runCli(['queues', 'show', 'support'], env);
  t.is(normTimes(r.stdout), [
    'name:                    support',
    'strategy:                longest-idle',
    'serviceLevelSeconds:     20',
    'maxWaitSeconds:          0',
    'maxCallers:              0',
    'ringTimeoutSeconds:      15',
    'wrapUpSeconds:           10',
    'priority:                0',
    'announcePositionSeconds: 0',
    'joinWhenEmpty:           true',
    'requiredSkills:          -',
    'members:                 2',
    `created:                 ${TIME}`,
    `updated:                 ${TIME}`,
    '',
    'AGENT  NAME     PENALTY  LEVEL',
    '1001   Ann Lee  0        1',
    '1002   Bob      5        2',
    '',
  ].join('\n'));

  r = await runCli(['queues', 'members', 'remove', 'support', '1001'], env);
  t.is(r.code, 0);
  t.is(r.stdout, '');
  t.is(r.stderr, 'removed agent 1001 from queue support\n');

  t.deepEqual(await admin.queues.members.list('support'), [{ agent: '1002', name: 'Bob', penalty: 5, level: 2 }]);

  r = await runCli(['queues', 'members', 'remove', 'support', '1001', '--json'], env);
  t.is(r.code, 5);
  t.deepEqual(JSON.parse(r.stdout), {
    error: { code: 'not_found', message: 'member of queue support "1001" does not exist', details: [], status: 404, exitCode: 5 },
  });
});

test('queues errors: forbidden for agents (4), bad settings (2 and 7)', async (t) => {
  const { admin, env } = await serverFor(t);
  const agentToken = await tokenFor(admin, 'ann', 'agent');
  await admin.queues.create({ name: 'support' });

  let r = await runCli(['queues', 'create', 'sales', '--json'], { ...env, HOTLINE_TOKEN: agentToken });
  t.is(r.code, 4);
  t.deepEqual(JSON.parse(r.stdout), {
    error: { code: 'forbidden', message: 'role agent may not do this (needs queues:write)', details: [], status: 403, exitCode: 4 },
  });

  r = await runCli(['queues', 'create', 'sales', '--set', 'priority', '--settings-json', '{}'], env);
  t.is(r.code, 2);
  t.regex(flat(r.stderr), /--set expects KEY=VALUE \(e\.g\. serviceLevelSeconds=30\), got "priority"/);

  r = await runCli(['queues', 'create', 'sales', '--set', 'ringTimeoutSeconds=1', '--json'], env);
  t.is(r.code, 7);
  t.like(JSON.parse(r.stdout), { error: { code: 'invalid_input', details: [{ path: '/settings/ringTimeoutSeconds' }], status: 400, exitCode: 7 } });
  t.deepEqual((await admin.queues.list()).map((q) => q.name), ['support']);
});
