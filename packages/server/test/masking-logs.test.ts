/**
 * Phone masking (api/masking.ts, privacy.maskPhonesFor) of the event log (GET /v1/events and the
 * WebSocket stream) and the audit log (GET /v1/audit) on SQLite and MariaDB: a masked role sees no full
 * number anywhere in payloads and states (E.164, digits, formatted, under any key), ids, dates and
 * addresses stay readable; an admin sees everything.
 */
import test from 'ava';
import { maskLogEntry } from '../src/api/masking.js';
import type { HotlineClient, HotlineEvent } from '../src/client/index.js';
import { deferred, eachDialect, serve } from './helpers.js';

const FULL = [/4155550180/, /415\D{0,2}555\D?0180/, /4930123456/];
const KEPT = { callId: '0a1b2c3d-1234-4321-8765-123456789012', holiday: '2026-12-25', address: '192.168.100.200', extension: '1001' };

/** Every event of the stream from cursor 0 until it is live. */
async function streamed(client: HotlineClient): Promise<HotlineEvent[]> {
  const events: HotlineEvent[] = [];
  const live = deferred<number>();
  const ac = new AbortController();
  const done = client.events.stream({ after: 0, signal: ac.signal, onEvent: (e) => events.push(e), onLive: (c) => live.resolve(c) });
  await live.promise;
  ac.abort();
  await done;
  return events;
}

eachDialect('masking: masked roles read events (list and stream) and audit without full numbers; admins read them whole', async (t, dialect) => {
  const s = await serve(t, { dialect, overrides: { 'privacy.maskPhonesFor': 'supervisor, auditor' } });
  await s.admin.customers.create({ name: 'Logged Person', phones: ['+1 415 555 0180', '+49 30 123456'] });
  await s.server.services.store.writer.run((tx) => s.server.services.store.events.append(tx, {
    type: 'test.masking', subjectType: 'test', subjectId: '1', callId: KEPT.callId,
    payload: { caller: '(415) 555-0180', tel: 'tel:+14155550180', nested: [{ whatever: '4155550180' }], from: 'sip:+4930123456@carrier', ...KEPT },
  }));

  const supervisor = await s.clientFor('supervisor');
  const auditor = await s.clientFor('auditor');
  const views = {
    'events (supervisor)': JSON.stringify((await supervisor.events.list({ limit: 1000 })).events),
    'stream (supervisor)': JSON.stringify(await streamed(supervisor)),
    'audit (auditor)': JSON.stringify(await auditor.audit.list({ limit: 1000 })),
  };
  for (const [what, text] of Object.entries(views)) {
    for (const re of FULL) t.notRegex(text, re, `${what}: ${re}`);
    t.regex(text, /\+1415•••0180/, what);
  }
  for (const text of [views['events (supervisor)'], views['stream (supervisor)']]) {
    for (const v of Object.values(KEPT)) t.true(text.includes(v), v);
    t.regex(text, /"caller":"4155•••0180"/, 'formatted numbers are masked on their digits');
    t.regex(text, /"tel":"tel:\+1415•••0180"/);
  }

  const admin = {
    events: JSON.stringify((await s.admin.events.list({ limit: 1000 })).events),
    stream: JSON.stringify(await streamed(s.admin)),
    audit: JSON.stringify(await s.admin.audit.list({ limit: 1000 })),
  };
  for (const text of Object.values(admin)) t.regex(text, /\+14155550180/);
  t.regex(admin.events, /"caller":"\(415\) 555-0180"/);
  t.regex(admin.stream, /sip:\+4930123456@carrier/);
});

test('maskLogEntry: number-looking strings under any key, E.164 limits respected, non-numbers untouched', (t) => {
  t.deepEqual(maskLogEntry({
    a: '+14155550180', b: '0049 30 1234567', c: '12345678901234567', d: '2026-12-25', e: '10.0.0.12', f: 'order 4155550180', g: 1234567, h: '1001',
    summary: 'call from +14155550180', i: ['+493012345678'],
  }), {
    a: '+1415•••0180', b: '0049•••4567', c: '12345678901234567', d: '2026-12-25', e: '10.0.0.12', f: 'order 4155550180', g: 1234567, h: '1001',
    summary: 'call from +1415•••0180', i: ['+4930•••5678'],
  });
});
