/**
 * `hotline customers personalization <phone>` against a real server: the record for humans, the same
 * object with --json, a caller nobody knows, and a bad number (exit 7).
 */
import test from 'ava';
import { runCli } from './helpers/run-cli.js';
import { serverFor } from './helpers/server.js';

test('customers personalization prints customer, VIP priority, preferred and last agent, language; --json; bad numbers exit 7', async (t) => {
  const { admin, env } = await serverFor(t);
  await admin.agents.create({ extension: '3001', name: 'Preferred' });
  const c = await admin.customers.create({ name: 'Petra Personal', phones: ['(415) 555-0190'], vipLevel: 5, language: 'es', preferredAgent: '3001' });

  let r = await runCli(['customers', 'personalization', '415.555.0190'], env);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.trim(), [
    'number:          +14155550190',
    `customer:        ${c.id} Petra Personal`,
    'vip level:       5',
    'priority:        100',
    'preferred agent: 3001',
    'last agent:      -',
    'language:        es',
  ].join('\n'));

  r = await runCli(['customers', 'personalization', '+14155550190', '--json'], env);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(JSON.parse(r.stdout), {
    normalized: '+14155550190', customer: { id: c.id, name: 'Petra Personal' }, vipLevel: 5, priority: 100, preferredAgent: '3001', lastAgent: null, language: 'es',
  });

  r = await runCli(['customers', 'personalization', '+1 415 555 0191', '--json'], env);
  t.is(r.code, 0, r.stderr);
  t.like(JSON.parse(r.stdout), { customer: null, vipLevel: 0, priority: 0, preferredAgent: null });

  r = await runCli(['customers', 'personalization', 'anonymous'], env);
  t.is(r.code, 7);
  t.regex(r.stderr, /phone: "anonymous" is not a phone number/);
});
