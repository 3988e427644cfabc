import test from 'ava';
import { runCli } from './helpers/run-cli.js';
import { serverFor } from './helpers/server.js';

const ID = '00000000-0000-4000-8000-000000000001';

test('calls list and show print call records as tables, records and JSON', async (t) => {
  const { s, env } = await serverFor(t);
  // A finished call record, written as the B2BUA's recorder would (the SIP flow is in the server's sip-calls tests).
  await s.server.services.store.writer.run(async (tx) => {
    await tx.em.query(`INSERT INTO calls (id, from_ext, to_ext, direction, state, started_at, ringing_at, answered_at, ended_at, hangup_by, status, reason)
      VALUES (?, '1001', '1002', 'internal', 'ended', '2026-01-02 03:04:05.000', '2026-01-02 03:04:06.000', '2026-01-02 03:04:07.000',
      '2026-01-02 03:05:00.000', 'caller', 200, 'BYE')`, [ID]);
    await tx.em.query(`INSERT INTO call_legs (id, call_id, contact, transport, state, status, position)
      VALUES ('leg-1', ?, 'sip:1002@127.0.0.1:5070', 'udp', 'ended', 200, 0)`, [ID]);
  });

  let r = await runCli(['calls', 'list'], env);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, [
    'ID                                    FROM  TO    STATE  STARTED                   HANGUP BY  STATUS',
    `${ID}  1001  1002  ended  2026-01-02T03:04:05.000Z  caller     200`,
    '',
  ].join('\n'));

  r = await runCli(['calls', 'list', '--active'], env);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, '(no calls)\n');

  r = await runCli(['calls', 'show', ID, '--json'], env);
  t.is(r.code, 0, r.stderr);
  t.like(JSON.parse(r.stdout), { id: ID, from: '1001', to: '1002', state: 'ended', hangupBy: 'caller', status: 200, legs: [{ contact: 'sip:1002@127.0.0.1:5070', state: 'ended' }] });

  r = await runCli(['calls', 'show', ID], env);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, [
    `id:        ${ID}`,
    'from:      1001',
    'to:        1002',
    'direction: internal',
    'state:     ended',
    'started:   2026-01-02T03:04:05.000Z',
    'ringing:   2026-01-02T03:04:06.000Z',
    'answered:  2026-01-02T03:04:07.000Z',
    'ended:     2026-01-02T03:05:00.000Z',
    'hangup by: caller',
    'status:    200 BYE',
    'legs:      sip:1002@127.0.0.1:5070 (udp) ended 200',
    '',
  ].join('\n'));

  r = await runCli(['calls', 'show', 'nope'], env);
  t.not(r.code, 0);
  t.regex(r.stderr, /nope/);
});
