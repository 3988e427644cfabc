/**
 * Click-to-call (`POST /v1/calls/originate`, calls/originate.ts, RFC 3725 flow I) in a running server with
 * test UAs over UDP: the agent's device gets an offerless INVITE, its 2xx offer goes to the target, the
 * target's answer comes back in the ACK to the agent; failures at either step end the call cleanly; the
 * API's checks (404, 409, 400) and its audit.
 */
import test from 'ava';
import { CallState } from '../src/calls/call.js';
import { getHeader, type SipRequest } from '../src/sip/message.js';
import { allAudit, waitFor } from './helpers.js';
import { agentAnswers, agentsServer, toTag, acceptCancel } from './sip-agents.js';
import { SDP_ANSWER, SDP_OFFER, udpUa } from './sip-call-ua.js';



const callIdOf = (m: SipRequest) => getHeader(m, 'Call-ID')!;

test('originate 1001 -> 1002: offerless INVITE to the agent, its offer to 1002, the answer in the ACK; BYE from the agent', async (t) => {
  const { s, ua } = await agentsServer(t);
  const a = await ua('1001');
  const b = await ua('1002');
  const supervisor = await s.clientFor('supervisor', 'sam');
  const started = await supervisor.calls.originate({ from: '1001', to: '1002' });
  t.like(started, { from: '1001', to: '1002', direction: 'internal', state: CallState.Trying });
  t.like(await s.admin.calls.get(started.id), { id: started.id, state: CallState.Trying }, 'the record exists when the API answers');

  const agentInvite = await agentAnswers(a);
  t.is(agentInvite.body.length, 0, 'the agent is called without an offer');
  t.regex(getHeader(agentInvite, 'From')!, /^<sip:1002@/, 'the agent sees whom it will talk to');
  const calleeInvite = await b.request('INVITE');
  t.is(calleeInvite.body.toString(), SDP_OFFER, "the agent's offer goes to the target");
  t.regex(getHeader(calleeInvite, 'From')!, /^<sip:1001@/);
  t.regex(getHeader(calleeInvite, 'Content-Type')!, /application\/sdp/);
  await b.reply(calleeInvite, 180, 'Ringing', { toTag: toTag(calleeInvite) });
  await b.reply(calleeInvite, 200, 'OK', { toTag: toTag(calleeInvite), sdp: SDP_ANSWER });
  const calleeAck = await b.requestIn(callIdOf(calleeInvite), 'ACK');
  t.is(calleeAck.body.length, 0);
  const agentAck = await a.requestIn(callIdOf(agentInvite), 'ACK');
  t.is(agentAck.body.toString(), SDP_ANSWER, "the target's answer is in the ACK to the agent");
  t.is(getHeader(agentAck, 'CSeq'), '1 ACK');

  const answered = await waitFor('answered', async () => {
    const c = await s.admin.calls.get(started.id);
    return c.state === CallState.Answered ? c : undefined;
  });
  t.truthy(answered.ringingAt);
  t.deepEqual(answered.legs.map((l) => l.state).sort(), ['answered', 'answered']);

  const done = a.byeAsCallee(agentInvite, toTag(agentInvite));
  const bye = await b.requestIn(callIdOf(calleeInvite), 'BYE');
  await b.reply(bye, 200, 'OK');
  t.is((await done).status, 200);
  const ended = await waitFor('ended', async () => {
    const c = await s.admin.calls.get(started.id);
    return c.state === CallState.Ended ? c : undefined;
  });
  t.like(ended, { hangupBy: 'caller', status: 200 });
  const audit = (await allAudit(s)).find((e) => e.action === 'call.originate_requested');
  t.like(audit, { actor: 'sam', subjectId: started.id });
});

test('the agent declines: the call ends (603, by caller); the target never rings', async (t) => {
  const { s, ua } = await agentsServer(t);
  const a = await ua('1001');
  const b = await ua('1002');
  const call = await s.admin.calls.originate({ from: '1001', to: '1002' });
  const invite = await a.request('INVITE');
  await a.reply(invite, 603, 'Decline', { toTag: toTag(invite) });
  await a.request('ACK');
  const ended = await waitFor('ended', async () => {
    const c = await s.admin.calls.get(call.id);
    return c.state === CallState.Ended ? c : undefined;
  });
  t.like(ended, { hangupBy: 'caller', status: 603 });
  t.is(b.queueLength(), 0);
});

test('the target is busy: the agent gets an ACK rejecting its offer and a BYE; the call ends 486 by callee', async (t) => {
  const { s, ua } = await agentsServer(t);
  const a = await ua('1001');
  const b = await ua('1002');
  const call = await s.admin.calls.originate({ from: '1001', to: '1002' });
  const agentInvite = await agentAnswers(a);
  const calleeInvite = await b.request('INVITE');
  await b.reply(calleeInvite, 486, 'Busy Here', { toTag: toTag(calleeInvite) });
  const ack = await a.requestIn(callIdOf(agentInvite), 'ACK');
  t.regex(ack.body.toString(), /^m=audio 0 RTP\/AVP 0$/m, 'an answer rejecting the stream (RFC 3264 §6)');
  const bye = await a.requestIn(callIdOf(agentInvite), 'BYE');
  await a.reply(bye, 200, 'OK');
  const ended = await waitFor('ended', async () => {
    const c = await s.admin.calls.get(call.id);
    return c.state === CallState.Ended ? c : undefined;
  });
  t.like(ended, { hangupBy: 'callee', status: 486 });
});

test('hangup while the agent rings: CANCEL to its device; the call ends by system', async (t) => {
  const { s, ua } = await agentsServer(t);
  const a = await ua('1001');
  await ua('1002');
  const call = await s.admin.calls.originate({ from: '1001', to: '1002' });
  const invite = await a.request('INVITE');
  await a.reply(invite, 180, 'Ringing', { toTag: toTag(invite) });
  // Whether the 180 reached the server before the hangup or not, the device gets a CANCEL (§9.1).
  const ended = await s.admin.calls.hangup(call.id);
  t.like(ended, { state: CallState.Ended, hangupBy: 'system', reason: 'hangup by admin' });
  const cancel = await a.request('CANCEL');
  t.is(callIdOf(cancel), callIdOf(invite));
  await acceptCancel(a, cancel, invite);
});

test('originate checks: unknown agent 404, no device 409, unknown target 404, yourself 400, bad input 400, agents may not', async (t) => {
  const { s, ua } = await agentsServer(t);
  await ua('1001');
  const status = async (body: unknown, client = s.admin) => {
    try {
      await client.request('POST', '/v1/calls/originate', body);
      return 202;
    } catch (err) {
      return (err as { status: number }).status;
    }
  };
  t.is(await status({ from: '4711', to: '1002' }), 404);
  t.is(await status({ from: '1002', to: '1001' }), 409, '1002 has no registered device');
  t.is(await status({ from: '1001', to: '1003' }), 409, 'the target has no registered device');
  t.is(await status({ from: '1001', to: '99999' }), 404, 'nothing routes 99999 (no number, no trunk)');
  t.is(await status({ from: '1001', to: '1001' }), 400);
  t.is(await status({ from: '1001' }), 400);
  t.is(await status({ from: '1001', to: '1002' }, await s.clientFor('agent')), 403);
  t.deepEqual(await s.admin.calls.list(), [], 'no call was started');
});

test('originate to a number routed to an agent rings that agent; sip.maxCallsPerAgent limits originated calls too (409)', async (t) => {
  const { s, ua } = await agentsServer(t);
  const a = await ua('1001');
  const b = await ua('1002');
  await s.admin.numbers.create({ number: '4930123456', target: 'agent:1002' });
  const first = await s.admin.calls.originate({ from: '1001', to: '4930123456' });
  t.like(first, { to: '4930123456', direction: 'internal' });
  await agentAnswers(a);
  const invite = await b.request('INVITE');
  t.is(invite.body.toString(), SDP_OFFER);
  await s.admin.calls.originate({ from: '1001', to: '1002' });
  const third = await t.throwsAsync(s.admin.calls.originate({ from: '1001', to: '1002' }));
  t.like(third, { status: 409, message: 'agent 1001 is at its concurrent call limit (sip.maxCallsPerAgent)' });
  for (const c of await s.admin.calls.list({ active: true })) await s.admin.calls.hangup(c.id);
});

test('the agent hangs up while the target rings: the target leg is CANCELled; hung up by caller', async (t) => {
  const { s, ua } = await agentsServer(t);
  const a = await ua('1001');
  const b = await ua('1002');
  const call = await s.admin.calls.originate({ from: '1001', to: '1002' });
  const agentInvite = await agentAnswers(a);
  const calleeInvite = await b.request('INVITE');
  await b.reply(calleeInvite, 180, 'Ringing', { toTag: toTag(calleeInvite) });
  t.is((await a.byeAsCallee(agentInvite, toTag(agentInvite))).status, 200);
  const cancel = await b.request('CANCEL');
  t.is(callIdOf(cancel), callIdOf(calleeInvite));
  await b.reply(cancel, 200, 'OK', { toTag: toTag(calleeInvite) });
  await b.reply(calleeInvite, 487, 'Request Terminated', { toTag: toTag(calleeInvite) });
  await b.request('ACK');
  const ended = await waitFor('ended', async () => {
    const c = await s.admin.calls.get(call.id);
    return c.state === CallState.Ended ? c : undefined;
  });
  t.like(ended, { hangupBy: 'caller', status: 200, answeredAt: null });
});

test('originate out through a trunk: caller id rules, the agent offer to the carrier; trunk maxCalls is a 409', async (t) => {
  const { s, ua } = await agentsServer(t);
  const a = await ua('1001');
  await ua('1002');
  const udp = (await s.admin.status()).listeners['sipUdp']!.port;
  const carrier = await udpUa(t, udp, 'carrier', 'unused');
  const carrierPort = Number(/:(\d+)/.exec(carrier.host)![1]);
  await s.admin.trunks.create({
    name: 'carrier-o', host: '127.0.0.1', port: carrierPort, inboundCidrs: ['192.0.2.0/24'], callerId: { defaultCallerId: '4930777' }, maxCalls: 1,
  });
  const call = await s.admin.calls.originate({ from: '1001', to: '5551234' });
  t.like(call, { direction: 'outbound', trunk: 'carrier-o', to: '5551234' });
  const agentInvite = await agentAnswers(a);
  const out = await carrier.request('INVITE');
  t.is(out.uri, `sip:5551234@127.0.0.1:${carrierPort}`);
  t.regex(getHeader(out, 'From')!, /^<sip:4930777@/, 'the trunk caller id rules apply');
  t.is(out.body.toString(), SDP_OFFER);
  const full = await t.throwsAsync(s.admin.calls.originate({ from: '1002', to: '5559999' }));
  t.like(full, { status: 409, message: '5559999: the trunk is at its call limit' });
  await carrier.reply(out, 200, 'OK', { toTag: 'c1', sdp: SDP_ANSWER });
  await carrier.requestIn(callIdOf(out), 'ACK');
  t.is((await a.requestIn(callIdOf(agentInvite), 'ACK')).body.toString(), SDP_ANSWER);
  const done = a.byeAsCallee(agentInvite, toTag(agentInvite));
  await carrier.reply(await carrier.requestIn(callIdOf(out), 'BYE'), 200, 'OK');
  t.is((await done).status, 200);
});
