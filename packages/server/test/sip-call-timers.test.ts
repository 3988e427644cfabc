/**
 * The B2BUA's timers (calls/call-timers.ts) in a running server, with test UAs on real sockets and the
 * B2BUA's clock a FakeClock moved by hand: 2xx retransmission to a UDP caller until its ACK (RFC 3261
 * §13.3.1.4), the call ended with BYE both ways when no ACK comes within 64*T1, none over WebSocket;
 * Timer C on a ringing leg (CANCEL, 480 to the caller) and on a leg without a provisional response.
 * Also `POST /v1/calls/:id/hangup` on answered and ringing calls.
 *
 * Ordering without sleeps: a UA's OPTIONS round trip (`ping`) proves the server has processed every
 * datagram that UA sent before it, and that anything the server sent to it before the answer has arrived.
 */
import { randomBytes } from 'node:crypto';
import test, { type ExecutionContext } from 'ava';
import { FakeClock } from '../src/sip/clock.js';
import { CallState } from '../src/calls/call.js';
import { getHeader, type SipMessage, type SipRequest, type SipResponse } from '../src/sip/message.js';
import { allAudit, allEvents, waitFor } from './helpers.js';
import { agentsServer, toTag, acceptCancel, endedRecord, ringingCall } from './sip-agents.js';
import { type CallUa, type OutCall, SDP_ANSWER } from './sip-call-ua.js';

const T1 = 500;


/** An OPTIONS round trip from `ua` (see the file comment). */
async function ping(ua: CallUa): Promise<void> {
  const callId = `ping-${randomBytes(6).toString('hex')}`;
  const transport = ua.host.endsWith('.invalid') ? 'WS' : 'UDP';
  await ua.send([
    'OPTIONS sip:127.0.0.1 SIP/2.0', `Via: SIP/2.0/${transport} ${ua.host};rport;branch=z9hG4bK${randomBytes(6).toString('hex')}`, 'Max-Forwards: 70',
    `From: <sip:${ua.user}@127.0.0.1>;tag=${randomBytes(4).toString('hex')}`, 'To: <sip:127.0.0.1>', `Call-ID: ${callId}`, 'CSeq: 1 OPTIONS',
    'Content-Length: 0', '', '',
  ].join('\r\n'));
  await ua.response(callId, 'OPTIONS', 200);
}

const isOk = (callId: string) => (m: SipMessage) => m.kind === 'response' && m.status === 200 && getHeader(m, 'Call-ID') === callId && /INVITE$/.test(getHeader(m, 'CSeq') ?? '');

/** 1001 calls 1002, which answers; resolves once the caller has the (first) 200 and the callee the B2BUA's ACK. */
async function setup(t: ExecutionContext) {
  const clock = new FakeClock();
  const { s, ua } = await agentsServer(t, { callTimers: { clock } });
  return { s, clock, ua };
}

async function answeredCall(a: CallUa, b: CallUa): Promise<{ call: OutCall; ok: SipResponse; invite: SipRequest }> {
  const call = await a.invite('1002');
  const invite = await b.request('INVITE');
  await b.reply(invite, 200, 'OK', { toTag: toTag(invite), sdp: SDP_ANSWER });
  await b.request('ACK');
  const ok = await a.response(call.callId, 'INVITE', 200);
  if (ok.status !== 200) throw new Error(`the caller got ${ok.status}, not 200`);
  return { call, ok, invite };
}

test('2xx to a UDP caller: retransmitted at T1, 2T1, 4T1 until the ACK, then never again', async (t) => {
  const { s, clock, ua } = await setup(t);
  const a = await ua('1001');
  const b = await ua('1002');
  const { call, ok } = await answeredCall(a, b);
  const same = isOk(call.callId);
  // Retransmissions at T1, then 2*T1 later, then 4*T1 later (§13.3.1.4); each one the same response.
  for (const step of [T1, 2 * T1, 4 * T1]) {
    clock.advance(step - 1);
    await ping(a);
    t.false(a.unclaimed().some(same), `nothing before ${step} ms`);
    clock.advance(1);
    const again = await a.wait('2xx retransmission', same);
    t.is(again.kind === 'response' ? again.body.toString() : '', SDP_ANSWER);
    t.is(getHeader(again, 'To'), getHeader(ok, 'To'));
  }
  await a.ack(call, ok);
  await ping(a);
  clock.advance(64 * T1);
  await ping(a);
  t.false(a.unclaimed().some(same), 'no retransmission after the ACK');
  const rec = await waitFor('answered record', async () => (await s.admin.calls.list({ active: true }))[0]);
  t.is(rec.state, CallState.Answered, 'the ACKed call goes on');
  const done = a.bye(call);
  await b.reply(await b.request('BYE'), 200, 'OK');
  t.is((await done).status, 200);
});

test('2xx never ACKed: after 64*T1 BYE to both sides, hung up by system (no ACK)', async (t) => {
  const { s, clock, ua } = await setup(t);
  const a = await ua('1001');
  const b = await ua('1002');
  const { call, invite } = await answeredCall(a, b);
  clock.advance(64 * T1 - 1);
  await ping(a);
  t.false(a.unclaimed().some((m) => m.kind === 'request' && m.method === 'BYE'), 'no BYE before 64*T1');
  clock.advance(1);
  const byeA = await a.requestIn(call.callId, 'BYE');
  await a.reply(byeA, 200, 'OK');
  const byeB = await b.requestIn(getHeader(invite, 'Call-ID')!, 'BYE');
  await b.reply(byeB, 200, 'OK');
  // T1, then doubling up to T2 = 4 s: retransmissions at 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5 s.
  t.is(a.unclaimed().filter(isOk(call.callId)).length, 10);
  const rec = await endedRecord(s);
  t.like(rec, { hangupBy: 'system', status: 408, reason: 'no ACK' });
  t.truthy(rec.answeredAt);
});

test('2xx to a WebSocket caller is not retransmitted, and no missing ACK ends the call', async (t) => {
  const { s, clock, ua } = await setup(t);
  const a = await ua('1001', { transport: 'ws' });
  const b = await ua('1002');
  const { call } = await answeredCall(a, b);
  clock.advance(64 * T1);
  await ping(a);
  t.false(a.unclaimed().some(isOk(call.callId)), 'no retransmission over a reliable transport');
  t.false(a.unclaimed().some((m) => m.kind === 'request' && m.method === 'BYE'));
  const [rec] = await s.admin.calls.list({ active: true });
  t.is(rec?.state, CallState.Answered);
});

test('Timer C: a leg ringing for 180 s (restarted by each provisional) is CANCELled; the caller gets 480', async (t) => {
  const { s, clock, ua } = await setup(t);
  const a = await ua('1001');
  const b = await ua('1002');
  const { call, invite } = await ringingCall(a, b, '1002');
  clock.advance(100_000);
  await b.reply(invite, 180, 'Ringing', { toTag: toTag(invite) });
  await ping(b); // the second 180 has restarted Timer C
  clock.advance(179_999);
  await ping(b);
  t.false(b.unclaimed().some((m) => m.kind === 'request' && m.method === 'CANCEL'), 'Timer C restarted by the second 180');
  clock.advance(1);
  const cancel = await b.request('CANCEL');
  t.is(getHeader(cancel, 'Call-ID'), getHeader(invite, 'Call-ID'));
  t.is((await a.response(call.callId, 'INVITE', 200)).status, 480);
  await acceptCancel(b, cancel, invite);
  const rec = await endedRecord(s);
  t.like(rec, { hangupBy: 'system', status: 480, answeredAt: null });
  t.like(rec.legs[0], { state: 'cancelled', status: 408 });
});

test('Timer C on a leg without any provisional response: 408 at once, the CANCEL follows its first provisional (§9.1)', async (t) => {
  const { s, clock, ua } = await setup(t);
  const a = await ua('1001');
  const b = await ua('1002');
  const call = await a.invite('1002');
  const invite = await b.request('INVITE');
  clock.advance(180_000);
  t.is((await a.response(call.callId, 'INVITE', 200)).status, 480);
  const rec = await endedRecord(s);
  t.like(rec.legs[0], { state: 'cancelled', status: 408 });
  await b.reply(invite, 180, 'Ringing', { toTag: toTag(invite) });
  const cancel = await b.request('CANCEL');
  t.is(getHeader(cancel, 'Call-ID'), getHeader(invite, 'Call-ID'));
  await acceptCancel(b, cancel, invite);
});

test('POST /v1/calls/:id/hangup: an answered call gets BYE both ways; audited with the user; 409 once ended, 404 unknown', async (t) => {
  const { s, ua } = await setup(t);
  const a = await ua('1001');
  const b = await ua('1002');
  const { call, ok, invite } = await answeredCall(a, b);
  await a.ack(call, ok);
  const live = await waitFor('answered record', async () => (await s.admin.calls.list({ active: true })).find((c) => c.state === 'answered'));
  const supervisor = await s.clientFor('supervisor', 'sue');
  const ended = await supervisor.calls.hangup(live.id);
  t.like(ended, { id: live.id, state: 'ended', hangupBy: 'system', status: 200, reason: 'hangup by sue' });
  await a.reply(await a.requestIn(call.callId, 'BYE'), 200, 'OK');
  await b.reply(await b.requestIn(getHeader(invite, 'Call-ID')!, 'BYE'), 200, 'OK');
  const rec = await endedRecord(s);
  t.like(rec, { hangupBy: 'system', reason: 'hangup by sue' });
  const audit = (await allAudit(s)).find((e) => e.action === 'call.hangup_requested');
  t.like(audit, { actor: 'sue', subjectType: 'call', subjectId: live.id });
  const events = await allEvents(s, ['call.*']);
  t.like(events.find((e) => e.type === 'call.hangup_requested')?.payload, { by: 'sue' });
  t.like(events.find((e) => e.type === 'call.ended')?.payload, { hangupBy: 'system', reason: 'hangup by sue' });

  const again = await t.throwsAsync(supervisor.calls.hangup(live.id));
  t.like(again, { status: 409, code: 'conflict' });
  const unknown = await t.throwsAsync(supervisor.calls.hangup('no-such-call'));
  t.like(unknown, { status: 404, code: 'not_found' });
  const agent = await s.clientFor('agent');
  t.like(await t.throwsAsync(agent.calls.hangup(live.id)), { status: 403 });
});

test('POST /v1/calls/:id/hangup on a ringing call: 480 to the caller, CANCEL to the ringing device', async (t) => {
  const { s, ua } = await setup(t);
  const a = await ua('1001');
  const b = await ua('1002');
  const { call, invite } = await ringingCall(a, b, '1002');
  const live = await waitFor('ringing record', async () => (await s.admin.calls.list({ active: true })).find((c) => c.state === 'ringing'));
  const ended = await s.admin.calls.hangup(live.id);
  t.like(ended, { state: 'ended', hangupBy: 'system', status: 480, answeredAt: null });
  t.is((await a.response(call.callId, 'INVITE', 200)).status, 480);
  const cancel = await b.request('CANCEL');
  await acceptCancel(b, cancel, invite);
  const rec = await endedRecord(s);
  t.like(rec.legs[0], { state: 'cancelled', status: 487 });
});
