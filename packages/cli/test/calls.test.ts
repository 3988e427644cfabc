import { createSocket } from 'node:dgram';
import { sipRegisterUdp } from '@hotline/server/testing';
import test, { type ExecutionContext } from 'ava';
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

/**
 * A registered SIP device on its own UDP socket that answers every INVITE with `status` (603 declines,
 * 180 rings forever). The server calls the binding's source, so the device registers from its socket's port.
 */
async function device(t: ExecutionContext, serverPort: number, user: string, password: string, status: 180 | 603): Promise<void> {
  const probe = createSocket('udp4');
  const port = await new Promise<number>((r) => probe.bind(0, '127.0.0.1', () => r(probe.address().port)));
  await new Promise<void>((r) => probe.close(() => r()));
  t.is(await sipRegisterUdp({ port: serverPort, user, password, contact: `<sip:${user}@127.0.0.1:${port}>`, localPort: port }), 200);
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(port, '127.0.0.1', () => r()));
  t.teardown(() => new Promise<void>((r) => sock.close(() => r())));
  sock.on('message', (data) => {
    const lines = data.toString().split('\r\n');
    if (!lines[0]!.startsWith('INVITE ')) return;
    const pick = (name: string) => lines.filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
    const reply = [
      `SIP/2.0 ${status} ${status === 180 ? 'Ringing' : 'Decline'}`, ...pick('Via'), ...pick('From'), `${pick('To')[0]};tag=dev${port}`,
      ...pick('Call-ID'), ...pick('CSeq'), 'Content-Length: 0', '', '',
    ].join('\r\n');
    sock.send(reply, serverPort, '127.0.0.1');
  });
}

test('calls originate and calls hangup: --wait follows the call, exit codes 9, 6, 5, and a live hangup', async (t) => {
  const { s, admin, env } = await serverFor(t);
  const sip = s.server.listeners['sipUdp']!.port;
  for (const ext of ['1001', '1002', '1003']) await admin.agents.create({ extension: ext, name: `Agent ${ext}`, password: `password ${ext}` });
  await device(t, sip, '1001', 'password 1001', 603);
  await device(t, sip, '1002', 'password 1002', 180);

  // 1001 declines: --wait shows the progress on stderr and exits 9 (not answered).
  let r = await runCli(['calls', 'originate', '--from', '1001', '--to', '1002', '--wait', '--timeout', '30'], env);
  t.is(r.code, 9, r.stderr);
  t.regex(r.stderr, /^call [0-9a-f-]{36}: trying\ncall [0-9a-f-]{36}: ended \(603 agent 1001: Decline\)\n$/);
  t.regex(r.stdout, /^id: +[0-9a-f-]{36}\nfrom: +1001\nto: +1002\ndirection: internal\nstate: +ended\n/);
  t.regex(r.stdout, /\nhangup by: caller\nstatus: +603 agent 1001: Decline\n/);
  const declined = (await admin.calls.list())[0]!;

  // Hanging up a call that has ended: 6 (conflict); an unknown call: 5.
  r = await runCli(['calls', 'hangup', declined.id, '--json'], env);
  t.is(r.code, 6);
  t.like(JSON.parse(r.stdout), { error: { code: 'conflict', status: 409, exitCode: 6 } });
  r = await runCli(['calls', 'hangup', 'no-such-call'], env);
  t.is(r.code, 5);
  t.regex(r.stderr, /no-such-call/);

  // Unknown agent 5; the target has no registered device 6.
  t.is((await runCli(['calls', 'originate', '--from', '4711', '--to', '1002'], env)).code, 5);
  t.is((await runCli(['calls', 'originate', '--from', '1002', '--to', '1003'], env)).code, 6);

  // 1002's device rings and never answers: originate returns at once (trying); hangup ends the call.
  r = await runCli(['calls', 'originate', '--from', '1002', '--to', '1001', '--json'], env);
  t.is(r.code, 0, r.stderr);
  const live = JSON.parse(r.stdout) as { id: string; state: string };
  t.like(live, { state: 'trying', from: '1002', to: '1001' });
  r = await runCli(['calls', 'hangup', live.id, '--json'], env);
  t.is(r.code, 0, r.stderr);
  t.like(JSON.parse(r.stdout), { id: live.id, state: 'ended', hangupBy: 'system', reason: 'hangup by admin' });
});
