/**
 * Personalization (crm/personalization.ts, GET /v1/customers/personalization) on SQLite and MariaDB: the
 * VIP level's queue priority (default and `crm.vipPriority`), the preferred agent only while it exists,
 * the last agent from the newest answered call in any number form, unknown numbers with defaults, shared
 * numbers, bad numbers, and the setting's validation.
 */
import test from 'ava';
import { ApiError } from '../src/client/index.js';
import { loadConfig } from '../src/config/load.js';
import { CallRow } from '../src/db/entities/index.js';
import type { TestServer } from '../src/testing.js';
import { eachDialect, serve } from './helpers.js';

const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000);

/** A call record and, when answered, its `call.answered` event naming the agent (as calls/records.ts writes them). */
async function call(s: TestServer, id: string, from: string, to: string, at: Date, agent: string | null): Promise<void> {
  const store = s.server.services.store;
  await store.writer.run(async (tx) => {
    await tx.em.save(CallRow, Object.assign(new CallRow(), {
      id, fromExt: from, toExt: to, direction: from.length > 4 ? 'inbound' : 'outbound', state: 'ended', startedAt: at, ringingAt: null,
      answeredAt: agent ? at : null, endedAt: at, hangupBy: 'caller', status: agent ? 200 : 486, reason: null, trunk: 'carrier',
    }));
    if (agent) await store.events.append(tx, { type: 'call.answered', subjectType: 'call', subjectId: id, agentId: agent, callId: id, payload: { from, to } });
  });
}

async function agents(s: TestServer, ...extensions: string[]): Promise<void> {
  for (const extension of extensions) await s.admin.agents.create({ extension, name: `Agent ${extension}` });
}

eachDialect('personalization: customer, VIP priority (default scale), preferred agent, last agent of the newest answered call, language', async (t, dialect) => {
  const s = await serve(t, { dialect });
  await agents(s, '1001', '1002', '1003');
  const c = await s.admin.customers.create({ name: 'Vera Vip', phones: ['+1 415 555 0170'], vipLevel: 3, language: 'de-DE', preferredAgent: '1002' });
  // Oldest: an outbound call by 1001 to the E.164 form; newer: an inbound call in the national form answered
  // by 1003; newest: an unanswered call (no agent); and another number's newer call answered by 1002.
  await call(s, 'p-out', '1001', '+14155550170', minutesAgo(30), '1001');
  await call(s, 'p-in', '4155550170', '+18005550100', minutesAgo(20), '1003');
  await call(s, 'p-missed', '14155550170', '+18005550100', minutesAgo(10), null);
  await call(s, 'p-other', '14155550199', '+18005550100', minutesAgo(5), '1002');

  const agent = await s.clientFor('agent');
  const p = await agent.customers.personalization('(415) 555-0170');
  t.deepEqual(p, {
    normalized: '+14155550170', customer: { id: c.id, name: 'Vera Vip' }, vipLevel: 3, priority: 60, preferredAgent: '1002', lastAgent: '1003', language: 'de-DE',
  });

  // The last agent must still exist: without 1003 the call before (1001's) counts.
  await s.admin.agents.delete('1003');
  t.is((await agent.customers.personalization('+14155550170')).lastAgent, '1001');
  // A deleted preferred agent is no preference.
  await s.admin.agents.delete('1002');
  t.like(await agent.customers.personalization('+14155550170'), { preferredAgent: null, lastAgent: '1001', vipLevel: 3 });
  t.is((await s.admin.customers.get(c.id)).preferredAgent, '1002', 'the customer keeps the extension as typed');
});

eachDialect('personalization: unknown numbers get defaults (last agent still from calls), shared numbers the highest VIP, bad numbers a 400', async (t, dialect) => {
  const s = await serve(t, { dialect, overrides: { 'crm.vipPriority': '0:10, 1:20, 2:30, 3:40, 4:90, 5:100' } });
  await agents(s, '2001');
  t.deepEqual(await s.admin.customers.personalization('+1 415 555 0171'), {
    normalized: '+14155550171', customer: null, vipLevel: 0, priority: 10, preferredAgent: null, lastAgent: null, language: null,
  });
  await call(s, 'q-in', '+14155550171', '+18005550100', minutesAgo(3), '2001');
  t.like(await s.admin.customers.personalization('4155550171'), { customer: null, priority: 10, lastAgent: '2001' });

  await s.admin.customers.create({ name: 'Switchboard Low', phones: ['+14155550172'], vipLevel: 1 });
  const high = await s.admin.customers.create({ name: 'Switchboard High', phones: ['+14155550172'], vipLevel: 4, language: 'fr' });
  await s.admin.customers.create({ name: 'Switchboard Also High', phones: ['+14155550172'], vipLevel: 4 });
  t.like(await s.admin.customers.personalization('+14155550172'), { customer: { id: high.id, name: 'Switchboard High' }, vipLevel: 4, priority: 90, language: 'fr' });

  const err = await t.throwsAsync(s.admin.customers.personalization('anonymous'), { instanceOf: ApiError });
  t.is(err?.status, 400);
  t.regex(err?.message ?? '', /phone: "anonymous" is not a phone number/);
});

test('crm.vipPriority: a queue priority 0-100 for every VIP level 0-5, anything else rejected with the reason', (t) => {
  t.deepEqual(loadConfig({ env: {} }).crm.vipPriority, [0, 20, 40, 60, 80, 100]);
  t.deepEqual(loadConfig({ env: { HOTLINE_CRM_VIP_PRIORITY: '5:1,4:1,3:1,2:1,1:1,0:0' } }).crm.vipPriority, [0, 1, 1, 1, 1, 1]);
  const problem = (v: string) => t.throws(() => loadConfig({ env: { HOTLINE_CRM_VIP_PRIORITY: v } }))?.message ?? '';
  t.regex(problem('0:0,1:20,2:40,3:60,4:80'), /crm\.vipPriority: every VIP level 0-5 needs a priority \(missing: 5\)/);
  t.regex(problem('0:0,1:20,2:40,3:60,4:80,5:101'), /"5:101": queue priorities are 0-100/);
  t.regex(problem('0:0,1:20,2:40,3:60,4:80,6:100'), /"6:100": VIP levels are 0-5/);
  t.regex(problem('0:0,0:1,2:40,3:60,4:80,5:100'), /VIP level 0 is given twice/);
  t.regex(problem('gold:100'), /"gold:100": not level:priority/);
});
