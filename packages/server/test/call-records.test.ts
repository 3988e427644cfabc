/**
 * calls/records.ts on each dialect: the steps a B2BUA reports (started, ringing, answered, ended) upsert
 * the `calls` row and its `call_legs` with raw INSERT ... ON CONFLICT / ON DUPLICATE KEY statements and
 * append one event each, in order, even when the steps are group-committed (db/writer.ts). Reads back
 * through CallRecords.list/get and the event log. SQLite always, MySQL/MariaDB with HOTLINE_TEST_MYSQL_URL.
 */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { type Call, CallState } from '../src/calls/call.js';
import { CallRecords } from '../src/calls/records.js';
import { Writer } from '../src/db/writer.js';
import { EventLog } from '../src/events/log.js';
import { eachDialect, testDatabase } from './helpers.js';

function call(): Call {
  return {
    id: randomUUID(), from: '4930111', to: '1001', direction: 'inbound', trunk: 'carrier-r', agents: ['1001'], state: CallState.Trying,
    startedAt: new Date('2026-01-02T03:04:05.678Z'), ringingAt: null, answeredAt: null, endedAt: null, hangupBy: null, status: null, reason: null,
    inbound: {} as Call['inbound'],
    legs: [{ id: randomUUID(), contact: 'sip:1001@127.0.0.1:5070', destination: { transport: 'udp', address: '127.0.0.1', port: 5070 }, state: 'calling',
      status: null, invite: {} as Call['legs'][number]['invite'], provisional: false, cancelPending: false }],
  };
}

eachDialect('call steps upsert the record and its legs and append their events in order', async (t, dialect) => {
  const db = await testDatabase(t, dialect);
  const writer = new Writer(db.write);
  const events = new EventLog(db.write);
  const records = new CallRecords({ ds: db.write, writer, events });
  const sink = records.sink(pino({ level: 'silent' }));

  const c = call();
  const leg = c.legs[0]!;
  // All four steps in one turn: one group commit.
  sink.started(c);
  Object.assign(c, { state: CallState.Ringing, ringingAt: new Date('2026-01-02T03:04:06.000Z') });
  Object.assign(leg, { state: 'ringing' });
  sink.ringing(c);
  Object.assign(c, { state: CallState.Answered, answeredAt: new Date('2026-01-02T03:04:07.000Z') });
  Object.assign(leg, { state: 'answered', status: 200 });
  sink.answered(c);
  Object.assign(c, { state: CallState.Ended, endedAt: new Date('2026-01-02T03:04:08.250Z'), hangupBy: 'caller', status: 200 });
  sink.ended(c);
  await writer.idle();

  const info = await records.get(c.id);
  t.like(info, {
    id: c.id, from: '4930111', to: '1001', direction: 'inbound', trunk: 'carrier-r', state: 'ended', hangupBy: 'caller', status: 200, reason: null,
    startedAt: '2026-01-02T03:04:05.678Z', ringingAt: '2026-01-02T03:04:06.000Z', answeredAt: '2026-01-02T03:04:07.000Z', endedAt: '2026-01-02T03:04:08.250Z',
  });
  t.deepEqual(info.legs, [{ id: leg.id, contact: 'sip:1001@127.0.0.1:5070', transport: 'udp', state: 'answered', status: 200 }]);
  t.is((await records.list()).length, 1, 'one row: the later steps updated it');
  const page = await events.page({ after: 0, types: ['call.*'] });
  t.deepEqual(page.filter((e) => e.callId === c.id).map((e) => [e.type, (e.payload as { state: string }).state]),
    [['call.started', 'trying'], ['call.ringing', 'ringing'], ['call.answered', 'answered'], ['call.ended', 'ended']]);
});
