/**
 * Agent-to-agent calls through the B2BUA (calls/b2bua.ts) in a running server, with test UAs over UDP
 * (and one callee over WebSocket): digest on 407, ringing and answer relayed with the callee's SDP,
 * ACK absorbed, BYE both ways, forking with CANCEL of the losing device, busy, caller CANCEL, no
 * registration, unknown extension, calling yourself; the call records and events; the egress policy.
 */
import test from 'ava';
import { type BindingSource, BindingStore } from '../src/sip/bindings.js';
import { egressPolicy, networksRule, registeredContactsRule } from '../src/sip/egress.js';
import { getHeader } from '../src/sip/message.js';
import { allEvents, waitFor } from './helpers.js';
import { agentsServer, PW, toTag, acceptCancel, endedRecord, ringingCall } from './sip-agents.js';
import { type CallUa, SDP_ANSWER, udpUa, wsUa } from './sip-call-ua.js';




/** The callee side: wait for the INVITE, 180, then 200 with SDP; wait for the B2BUA's ACK. */
async function answer(callee: CallUa) {
  const invite = await callee.request('INVITE');
  await callee.reply(invite, 180, 'Ringing', { toTag: toTag(invite) });
  await callee.reply(invite, 200, 'OK', { toTag: toTag(invite), sdp: SDP_ANSWER });
  const ack = await callee.request('ACK');
  return { invite, ack };
}

test('1001 calls 1002: 407, 180, 200 with the callee SDP, ACK absorbed, BYE from the caller; record and events', async (t) => {
  const { s, ua } = await agentsServer(t);
  const a = await ua('1001');
  const b = await ua('1002');
  const call = await a.invite('1002');
  const callee = answer(b);
  const ringing = await a.response(call.callId, 'INVITE', 180);
  t.is(ringing.status, 180);
  const ok = await a.response(call.callId, 'INVITE', 200);
  t.is(ok.status, 200);
  t.is(ok.body.toString(), SDP_ANSWER, 'the winning leg SDP passes through unchanged');
  t.regex(getHeader(ok, 'Contact')!, /^<sip:1002@127\.0\.0\.1:\d+;transport=udp>$/);
  t.is(getHeader(ringing, 'To'), getHeader(ok, 'To'), 'one To tag towards the caller');
  const { invite, ack } = await callee;
  t.not(getHeader(invite, 'Call-ID'), call.callId, 'the outbound leg has its own Call-ID');
  t.regex(getHeader(invite, 'From')!, /^<sip:1001@/);
  t.is(invite.body.toString().includes('o=caller'), true, 'the caller SDP is offered to the callee');
  t.is(getHeader(ack, 'CSeq'), '1 ACK');
  await a.ack(call, ok);

  const active = await waitFor('answered record', async () => (await s.admin.calls.list({ active: true })).find((c) => c.state === 'answered'));
  t.like(active, { from: '1001', to: '1002', direction: 'internal' });

  const byeDone = a.bye(call);
  const bye = await b.request('BYE');
  t.is(getHeader(bye, 'Call-ID'), getHeader(invite, 'Call-ID'));
  await b.reply(bye, 200, 'OK');
  t.is((await byeDone).status, 200);
  // Under load the callee may also hold a late INVITE retransmission (Timer A); what matters is that no
  // second ACK (the caller's, forwarded) reached it.
  t.deepEqual(b.unclaimed().filter((m) => m.kind === 'request' && m.method === 'ACK'), [], 'the caller ACK was not forwarded');

  const rec = await endedRecord(s);
  t.like(rec, { from: '1001', to: '1002', hangupBy: 'caller', status: 200 });
  t.truthy(rec.ringingAt);
  t.truthy(rec.answeredAt);
  t.truthy(rec.endedAt);
  t.is(rec.legs.length, 1);
  t.like(rec.legs[0], { transport: 'udp', state: 'ended', status: 200 });
  t.deepEqual(await s.admin.calls.get(rec.id), rec);
  t.deepEqual(await s.admin.calls.list({ active: true }), []);
  const events = await waitFor('4 call events', async () => {
    const e = await allEvents(s, ['call.*']);
    return e.length >= 4 ? e : undefined;
  });
  t.deepEqual(events.map((e) => e.type), ['call.started', 'call.ringing', 'call.answered', 'call.ended']);
  const page = (await s.admin.events.list({ types: ['call.*'] })).events;
  t.like(page[0], { subjectType: 'call', subjectId: rec.id, callId: rec.id, agentId: '1001' });
});

test('BYE from the callee reaches the caller; hung up by callee', async (t) => {
  const { s, ua } = await agentsServer(t);
  const a = await ua('1001');
  const b = await ua('1002');
  const call = await a.invite('1002');
  const callee = answer(b);
  const ok = await a.response(call.callId, 'INVITE', 200);
  await a.ack(call, ok);
  const { invite } = await callee;
  const done = b.byeAsCallee(invite, toTag(invite));
  const bye = await a.request('BYE');
  t.is(getHeader(bye, 'Call-ID'), call.callId);
  t.is(getHeader(bye, 'To'), getHeader(ok, 'From'));
  await a.reply(bye, 200, 'OK');
  t.is((await done).status, 200);
  const rec = await endedRecord(s);
  t.is(rec.hangupBy, 'callee');
});

test('fork: 1002 on two devices, one answers, the other is CANCELled (487)', async (t) => {
  const { s, ua, udp } = await agentsServer(t);
  const a = await ua('1001');
  const b1 = await ua('1002');
  const b2 = await udpUa(t, udp, '1002', PW['1002']);
  t.is((await b2.register()).status, 200);
  const call = await a.invite('1002');
  const inv2 = await b2.request('INVITE');
  await b2.reply(inv2, 180, 'Ringing', { toTag: toTag(inv2) });
  const answered = answer(b1);
  const ok = await a.response(call.callId, 'INVITE', 200);
  t.is(ok.body.toString(), SDP_ANSWER);
  await answered;
  const cancel = await b2.request('CANCEL');
  t.is(getHeader(cancel, 'Call-ID'), getHeader(inv2, 'Call-ID'));
  await b2.reply(cancel, 200, 'OK', { toTag: toTag(inv2) });
  await b2.reply(inv2, 487, 'Request Terminated', { toTag: toTag(inv2) });
  await b2.request('ACK');
  await a.ack(call, ok);
  const rec = await waitFor('answered', async () => (await s.admin.calls.list()).find((c) => c.state === 'answered' && c.legs.some((l) => l.state === 'cancelled')));
  t.deepEqual(rec.legs.map((l) => l.state).sort(), ['answered', 'cancelled']);
});

test('busy callee: 486 reaches the caller', async (t) => {
  const { s, ua } = await agentsServer(t);
  const a = await ua('1001');
  const b = await ua('1002');
  const call = await a.invite('1002');
  const invite = await b.request('INVITE');
  await b.reply(invite, 486, 'Busy Here', { toTag: toTag(invite) });
  await b.request('ACK');
  t.is((await a.response(call.callId, 'INVITE', 200)).status, 486);
  const rec = await endedRecord(s);
  t.like(rec, { hangupBy: 'callee', status: 486 });
});

test('caller CANCEL before the answer: 200, 487, and the leg is cancelled', async (t) => {
  const { s, ua } = await agentsServer(t);
  const a = await ua('1001');
  const b = await ua('1002');
  const { call, invite } = await ringingCall(a, b, '1002');
  t.is((await a.cancel(call)).status, 200);
  t.is((await a.response(call.callId, 'INVITE', 200)).status, 487);
  const cancel = await b.request('CANCEL');
  await acceptCancel(b, cancel, invite);
  const rec = await endedRecord(s);
  t.like(rec, { hangupBy: 'caller', status: 487 });
  t.is(rec.answeredAt, null);
});

test('no registration 480, unknown extension 404, yourself 482, unregistered caller 403', async (t) => {
  const { ua } = await agentsServer(t);
  const a = await ua('1001');
  const final = async (target: string) => (await a.response((await a.invite(target)).callId, 'INVITE', 200)).status;
  t.is(await final('1002'), 480);
  t.is(await final('4711'), 404);
  t.is(await final('1001'), 482);
  const stranger = await ua('1003', { register: false });
  t.is((await stranger.response((await stranger.invite('1001')).callId, 'INVITE', 200)).status, 403);
});

test('callee over WebSocket: the leg goes over its connection', async (t) => {
  const { s, ua, ws } = await agentsServer(t);
  const a = await ua('1001');
  const b = await wsUa(t, ws, '1002', PW['1002']);
  t.is((await b.register()).status, 200);
  const call = await a.invite('1002');
  const callee = answer(b);
  const ok = await a.response(call.callId, 'INVITE', 200);
  t.is(ok.body.toString(), SDP_ANSWER);
  const { invite } = await callee;
  t.regex(getHeader(invite, 'Via')!, /^SIP\/2\.0\/WS /);
  await a.ack(call, ok);
  const done = a.bye(call);
  const bye = await b.request('BYE');
  await b.reply(bye, 200, 'OK');
  t.is((await done).status, 200);
  const rec = await endedRecord(s);
  t.like(rec.legs[0], { transport: 'ws' });
});

test('egress policy: registered contact sources and configured networks', (t) => {
  const store = new BindingStore();
  const bind = (aor: string, contact: string, source: BindingSource) => store.set({
    aor, contact, source, expires: 60, expiresAt: 60_000, registeredAt: 0, callId: `c-${aor}`, cseq: 1, userAgent: null, q: null,
  });
  bind('1001', 'sip:1001@a', { transport: 'udp', address: '127.0.0.1', port: 5070 });
  bind('1002', 'sip:1002@b', { transport: 'ws', address: '::ffff:127.0.0.2', port: 4000 });
  bind('1003', 'sip:1003@c', { transport: 'udp', address: '127.0.0.1', port: 5070 }); // a second device behind the same source
  const policy = egressPolicy(registeredContactsRule(store));
  t.true(policy('127.0.0.1', 5070, 'udp'));
  t.true(policy('127.0.0.2', 4000, 'ws'));
  t.false(policy('127.0.0.1', 5071, 'udp'));
  t.false(policy('127.0.0.1', 5070, 'tcp'));
  t.false(policy('10.0.0.1', 5060, 'udp'));
  // The source index follows the bindings: a refresh from elsewhere moves it, the last removal clears it.
  store.remove('1001', 'sip:1001@a');
  t.true(policy('127.0.0.1', 5070, 'udp'), '1003 still registered from there');
  bind('1003', 'sip:1003@c', { transport: 'udp', address: '127.0.0.9', port: 5070 });
  t.false(policy('127.0.0.1', 5070, 'udp'), 'nobody registered from there any more');
  t.true(policy('127.0.0.9', 5070, 'udp'));
  store.remove('1003', 'sip:1003@c');
  store.remove('1002', 'sip:1002@b');
  t.false(policy('127.0.0.9', 5070, 'udp'));
  t.false(policy('127.0.0.2', 4000, 'ws'));
  t.false(egressPolicy()('127.0.0.1', 5070, 'udp'), 'no rule: deny');
  // Configured networks (sip.egressNetworks): any port and transport inside them, IPv4-mapped forms too.
  const nets = networksRule(['10.1.0.0/16', '192.0.2.10', '2001:db8::/32']);
  t.true(nets('10.1.200.3', 5060, 'udp'));
  t.true(nets('::ffff:10.1.0.9', 7000, 'tcp'));
  t.true(nets('192.0.2.10', 5061, 'ws'));
  t.true(nets('2001:DB8::5', 5060, 'udp'));
  t.false(nets('192.0.2.11', 5060, 'udp'));
  t.false(nets('10.2.0.1', 5060, 'udp'));
  t.false(networksRule([])('10.1.0.1', 5060, 'udp'), 'no networks: allows nothing');
});
