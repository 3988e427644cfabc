/**
 * Transfers through the B2BUA (calls/transfer.ts) with UDP test UAs, beyond the callee's blind transfer
 * (sip-in-dialog.test.ts): Refer-To parsing; a blind transfer from the caller (the target's leg replaces the
 * caller's side, Referred-By passed on); attended transfers (REFER with Replaces naming the consultation
 * call, from the callee and from the caller side: 3PCC re-INVITEs bridge the transferee and the target,
 * the referrer's dialogs are released, the consultation call ends `transferred`); Replaces naming no
 * dialog (NOTIFY 481); 491 for a second REFER or a re-INVITE while one runs; a busy target (486); a trunk
 * call transferred by its agent (record stays inbound) and a carrier's REFER (403); the referrer hanging up
 * right after 202; the transferee hanging up while the target rings (CANCEL); an INVITE with Replaces from
 * the agent's other device (RFC 3891 §3); records and `call.transferred`.
 */
import test, { type ExecutionContext } from 'ava';
import { parseReferTo } from '../src/calls/refer-to.js';
import { getHeader, getHeaders, type SipRequest, type SipResponse } from '../src/sip/message.js';
import { allEvents, waitFor } from './helpers.js';
import { agentsServer, PW, type Ext, toTag } from './sip-agents.js';
import { type CallUa, calleeDialog, callerDialog, digest, type OutCall, SDP_ANSWER, SDP_HOLD, SDP_OFFER, type UaDialog, udpUa } from './sip-call-ua.js';


const sipfrag = (m: SipRequest) => m.body.toString().trim();
const SDP_TARGET = 'v=0\r\no=target 3 3 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40004 RTP/AVP 0\r\n';

// Under load a UDP retransmission (a 407 or 2xx to a caller, an INVITE to a callee) may arrive late: wait
// for messages by Call-ID and CSeq, never for "the next INVITE response".

/** The final response to `method` with CSeq number `seq` in `callId`. */
const final = (ua: CallUa, callId: string, method: string, seq: number) => ua.wait<SipResponse>(`${seq} ${method} final`, (m) =>
  m.kind === 'response' && getHeader(m, 'Call-ID') === callId && getHeader(m, 'CSeq') === `${seq} ${method}` && m.status >= 200);

const seen = new WeakMap<CallUa, Set<string>>();
/** A new INVITE (no To tag) with a Call-ID this UA has not seen before. */
async function newInvite(ua: CallUa): Promise<SipRequest> {
  const known = seen.get(ua) ?? new Set<string>();
  seen.set(ua, known);
  const invite = await ua.wait<SipRequest>('new INVITE', (m) =>
    m.kind === 'request' && m.method === 'INVITE' && !/;\s*tag=/i.test(getHeader(m, 'To') ?? '') && !known.has(getHeader(m, 'Call-ID') ?? ''));
  known.add(getHeader(invite, 'Call-ID')!);
  return invite;
}

const handled = new WeakMap<CallUa, Set<string>>();
/** The next in-dialog request `method` in `callId` that is not a retransmission of one already taken. */
async function next(ua: CallUa, callId: string, method: string): Promise<SipRequest> {
  const known = handled.get(ua) ?? new Set<string>();
  handled.set(ua, known);
  const key = (m: SipRequest) => `${callId} ${getHeader(m, 'CSeq')}`;
  // In a dialog: a To tag (a late retransmission of the dialog's initial INVITE has none).
  const request = await ua.wait<SipRequest>(`${method} in ${callId}`, (m) => m.kind === 'request' && m.method === method &&
    getHeader(m, 'Call-ID') === callId && /;\s*tag=/i.test(getHeader(m, 'To') ?? '') && !known.has(key(m)));
  known.add(key(request));
  return request;
}

/** The ACK for the 2xx to `invite` (sent by the B2BUA). */
const ackOf = (ua: CallUa, invite: SipRequest) => ua.requestIn(getHeader(invite, 'Call-ID')!, 'ACK');

async function setup(t: ExecutionContext) {
  const { s, ua } = await agentsServer(t);
  const [a, b, c] = [await ua('1001'), await ua('1002'), await ua('1003')];
  return { s, a, b, c };
}

/** `from` calls `to`, `to` answers; both dialogs as the UAs see them. */
async function call(from: CallUa, to: CallUa) {
  const out: OutCall = await from.invite(to.user);
  const invite = await newInvite(to);
  await to.reply(invite, 200, 'OK', { toTag: toTag(invite), sdp: SDP_ANSWER });
  await ackOf(to, invite);
  await from.ack(out, await final(from, out.callId, 'INVITE', out.cseq));
  return { out, invite, caller: callerDialog(from, out), callee: calleeDialog(invite, toTag(invite)) };
}

/** Answer an in-dialog request of `ua` with 200 (NOTIFY, BYE). */
async function ok(ua: CallUa, d: UaDialog, method: string): Promise<SipRequest> {
  const m = await next(ua, d.callId, method);
  await ua.reply(m, 200, 'OK');
  return m;
}

test('Refer-To: an extension, with an escaped Replaces for an attended transfer', (t) => {
  t.deepEqual(parseReferTo('<sip:1003@example.com>'), { user: '1003' });
  t.deepEqual(parseReferTo('"C" <sip:1003@example.com;transport=udp?Replaces=abc%40host%3Bto-tag%3D7553452%3Bfrom-tag%3D31431>'), {
    user: '1003', replaces: { callId: 'abc@host', toTag: '7553452', fromTag: '31431' },
  });
  t.deepEqual(parseReferTo('<sip:1003@h?replaces=x%3Bfrom-tag%3Da%3Bto-tag%3Db%3Bearly-only>')?.replaces, { callId: 'x', toTag: 'b', fromTag: 'a' });
  t.is(parseReferTo('<sip:1003@h?Replaces=x%3Bto-tag%3Db>'), undefined, 'from-tag missing');
  t.is(parseReferTo('<sip:example.com>'), undefined, 'no user');
  t.is(parseReferTo('<tel:+12015550123>'), undefined);
  t.is(parseReferTo(undefined), undefined);
});

test('a REFER without a usable Refer-To gets 400', async (t) => {
  const { a, b } = await setup(t);
  const ab = await call(a, b);
  await a.sendInDialog(ab.caller, 'REFER', { headers: ['Refer-To: <sip:1003@127.0.0.1?Replaces=only-a-call-id>'] });
  t.is((await a.response(ab.caller.callId, 'REFER', 200)).status, 400);
  await a.sendInDialog(ab.caller, 'REFER');
  t.is((await a.response(ab.caller.callId, 'REFER', 200)).status, 400);
  const bye = a.bye(ab.out);
  await ok(b, ab.callee, 'BYE');
  t.is((await bye).status, 200);
});

test('blind transfer from the caller: 1002 is bridged to 1003, who takes the caller side', async (t) => {
  const { s, a, b, c } = await setup(t);
  const ab = await call(a, b);
  await a.sendInDialog(ab.caller, 'REFER', { headers: ['Refer-To: <sip:1003@127.0.0.1>', 'Referred-By: <sip:1001@127.0.0.1>'] });
  t.is((await a.response(ab.caller.callId, 'REFER', 200)).status, 202);
  t.is(sipfrag(await ok(a, ab.caller, 'NOTIFY')), 'SIP/2.0 100 Trying');

  const invite = await newInvite(c);
  t.is(invite.body.length, 0, 'offerless INVITE to the target');
  t.regex(getHeader(invite, 'From')!, /^<sip:1002@/, 'the target sees the transferee');
  t.is(getHeader(invite, 'Referred-By'), '<sip:1001@127.0.0.1>', 'Referred-By is passed on (RFC 3892)');
  await c.reply(invite, 200, 'OK', { toTag: toTag(invite), sdp: SDP_TARGET });
  const reinvite = await next(b, ab.callee.callId, 'INVITE');
  t.is(reinvite.body.toString(), SDP_TARGET, 'the target offer goes to the transferee (the callee)');
  t.regex(getHeader(reinvite, 'Contact')!, /^<sip:1003@/);
  await b.reply(reinvite, 200, 'OK', { sdp: SDP_ANSWER });
  await b.requestIn(ab.callee.callId, 'ACK');
  t.is((await ackOf(c, invite)).body.toString(), SDP_ANSWER, 'the transferee answer goes in the target ACK');
  const done = await ok(a, ab.caller, 'NOTIFY');
  t.is(sipfrag(done), 'SIP/2.0 200 OK');
  t.regex(getHeader(done, 'Subscription-State')!, /^terminated/);
  await ok(a, ab.caller, 'BYE');

  const live = await waitFor('transferred record', async () => (await s.admin.calls.list({ active: true })).find((r) => r.from === '1003'));
  t.like(live, { from: '1003', to: '1002', direction: 'internal', state: 'answered' });
  // In-dialog requests now run between the target and the transferee.
  const cDialog = calleeDialog(invite, toTag(invite));
  await c.sendInDialog(cDialog, 'INFO', { body: 'Signal=1\r\nDuration=100\r\n', contentType: 'application/dtmf-relay' });
  await b.reply(await next(b, ab.callee.callId, 'INFO'), 200, 'OK');
  t.is((await c.response(cDialog.callId, 'INFO', 200)).status, 200);

  await c.sendInDialog(cDialog, 'BYE');
  await ok(b, ab.callee, 'BYE');
  t.is((await c.response(cDialog.callId, 'BYE', 200)).status, 200);
  const rec = await waitFor('ended', async () => (await s.admin.calls.list()).find((r) => r.state === 'ended'));
  t.like(rec, { from: '1003', to: '1002', hangupBy: 'caller', status: 200 });
  t.deepEqual(rec.legs.map((l) => l.state), ['ended', 'ended']);
  const events = await waitFor('call.ended event', async () => {
    const e = await allEvents(s, ['call.*']);
    return e.some((x) => x.type === 'call.ended') ? e : undefined;
  });
  t.deepEqual(events.map((e) => e.type), ['call.started', 'call.answered', 'call.transferred', 'call.ended']);
  t.like(events[2]!.payload, {
    from: '1003', to: '1002',
    transfer: { kind: 'blind', side: 'caller', by: '1001', from: '1001', to: '1003', transferee: '1002', referredBy: '<sip:1001@127.0.0.1>', replaced: null },
  });
});

test('attended transfer: 1002 called 1001, 1001 consults 1003 and REFERs with Replaces; 1002 and 1003 are bridged', async (t) => {
  const { s, a, b, c } = await setup(t);
  const ba = await call(b, a); // call 1: the customer 1002 calls the agent 1001
  // 1001 puts 1002 on hold and calls 1003 (call 2).
  const hold = await a.sendInDialog(ba.callee, 'INVITE', { body: SDP_HOLD });
  const held = await next(b, ba.caller.callId, 'INVITE');
  await b.reply(held, 200, 'OK', { sdp: SDP_ANSWER });
  await b.requestIn(ba.caller.callId, 'ACK');
  t.is((await final(a, ba.callee.callId, 'INVITE', hold)).status, 200);
  await a.sendInDialog(ba.callee, 'ACK', { cseq: hold });
  const ac = await call(a, c);
  const calls = await waitFor('two answered calls', async () => {
    const live = await s.admin.calls.list({ active: true });
    return live.filter((r) => r.state === 'answered').length === 2 ? live : undefined;
  });
  const first = calls.find((r) => r.from === '1002')!;
  const second = calls.find((r) => r.from === '1001')!;

  const serverTag = /;tag=([^;>]+)/.exec(ac.out.to!)![1]!;
  const replaces = `${ac.out.callId}%3Bto-tag%3D${serverTag}%3Bfrom-tag%3D${ac.out.fromTag}`;
  await a.sendInDialog(ba.callee, 'REFER', { headers: [`Refer-To: <sip:1003@127.0.0.1?Replaces=${replaces}>`] });
  t.is((await a.response(ba.callee.callId, 'REFER', 200)).status, 202);
  t.is(sipfrag(await ok(a, ba.callee, 'NOTIFY')), 'SIP/2.0 100 Trying');

  const offerless = await next(c, ac.callee.callId, 'INVITE');
  t.is(offerless.body.length, 0, 'an offerless re-INVITE to the target in its dialog');
  t.regex(getHeader(offerless, 'Contact')!, /^<sip:1002@/, 'the target learns its new peer');
  await c.reply(offerless, 200, 'OK', { sdp: SDP_TARGET });
  const reinvite = await next(b, ba.caller.callId, 'INVITE');
  t.is(reinvite.body.toString(), SDP_TARGET);
  t.regex(getHeader(reinvite, 'Contact')!, /^<sip:1003@/);
  await b.reply(reinvite, 200, 'OK', { sdp: SDP_OFFER });
  await b.requestIn(ba.caller.callId, 'ACK');
  const ack = await c.requestIn(ac.callee.callId, 'ACK');
  t.is(ack.body.toString(), SDP_OFFER, 'the transferee answer in the target ACK');
  t.is(getHeader(ack, 'CSeq'), `${getHeader(offerless, 'CSeq')!.split(' ')[0]} ACK`);
  const done = await ok(a, ba.callee, 'NOTIFY');
  t.is(sipfrag(done), 'SIP/2.0 200 OK');
  await ok(a, ba.callee, 'BYE');
  await ok(a, ac.caller, 'BYE');

  const ended2 = await waitFor('consultation call ended', async () => (await s.admin.calls.list()).find((r) => r.id === second.id && r.state === 'ended'));
  t.like(ended2, { from: '1001', to: '1003', hangupBy: 'caller', status: 200, reason: 'transferred' });
  const live = await waitFor('call 1 with 1003', async () => (await s.admin.calls.list({ active: true })).find((r) => r.id === first.id && r.to === '1003'));
  t.like(live, { from: '1002', to: '1003', state: 'answered' });

  // The customer hangs up: the BYE reaches 1003 in its (former consultation) dialog.
  const bye = b.bye(ba.out);
  await ok(c, ac.callee, 'BYE');
  t.is((await bye).status, 200);
  const rec = await waitFor('call 1 ended', async () => (await s.admin.calls.list()).find((r) => r.id === first.id && r.state === 'ended'));
  t.like(rec, { from: '1002', to: '1003', hangupBy: 'caller', status: 200 });
  t.deepEqual(rec.legs.map((l) => l.state), ['ended', 'ended'], 'the agent leg and the target leg');
  const transferred = await waitFor('call.transferred', async () => (await allEvents(s, ['call.transferred']))[0]);
  t.like(transferred.payload, {
    from: '1002', to: '1003',
    transfer: { kind: 'attended', side: 'callee', by: '1001', from: '1001', to: '1003', transferee: '1002', referredBy: null, replaced: second.id },
  });
});

test('attended transfer naming no dialog: NOTIFY 481, both calls go on', async (t) => {
  const { s, a, b, c } = await setup(t);
  const ab = await call(a, b);
  const ac = await call(a, c);
  await a.sendInDialog(ab.caller, 'REFER', { headers: [`Refer-To: <sip:1003@127.0.0.1?Replaces=${ac.out.callId}%3Bto-tag%3Dnope%3Bfrom-tag%3D${ac.out.fromTag}>`] });
  t.is((await a.response(ab.caller.callId, 'REFER', 200)).status, 202);
  t.is(sipfrag(await ok(a, ab.caller, 'NOTIFY')), 'SIP/2.0 100 Trying');
  const failed = await ok(a, ab.caller, 'NOTIFY');
  t.is(sipfrag(failed), 'SIP/2.0 481 Call/Transaction Does Not Exist');
  t.regex(getHeader(failed, 'Subscription-State')!, /^terminated/);
  for (const [x, d, y, e] of [[a, ab, b, ab.callee], [a, ac, c, ac.callee]] as const) {
    const bye = x.bye(d.out);
    await ok(y, e, 'BYE');
    t.is((await bye).status, 200);
  }
  const ended = await waitFor('both ended', async () => {
    const all = await s.admin.calls.list();
    return all.filter((r) => r.state === 'ended').length === 2 ? all : undefined;
  });
  t.deepEqual(ended.map((r) => r.reason).sort(), ['BYE', 'BYE']);
  t.deepEqual(await allEvents(s, ['call.transferred']), []);
});

test('a second REFER (or a re-INVITE) while a transfer runs gets 491; the target refusing 486 is NOTIFYed', async (t) => {
  const { a, b, c } = await setup(t);
  const ab = await call(a, b);
  await b.sendInDialog(ab.callee, 'REFER', { headers: ['Refer-To: <sip:1003@127.0.0.1>'] });
  t.is((await b.response(ab.callee.callId, 'REFER', 200)).status, 202);
  await ok(b, ab.callee, 'NOTIFY');
  const invite = await newInvite(c);
  await a.sendInDialog(ab.caller, 'REFER', { headers: ['Refer-To: <sip:1003@127.0.0.1>'] });
  t.is((await a.response(ab.caller.callId, 'REFER', 200)).status, 491, 'the other side cannot transfer meanwhile');
  await b.sendInDialog(ab.callee, 'REFER', { headers: ['Refer-To: <sip:1003@127.0.0.1>'] });
  t.is((await b.response(ab.callee.callId, 'REFER', 200)).status, 491, 'nor the referrer again');
  const seq = await a.sendInDialog(ab.caller, 'INVITE', { body: SDP_HOLD });
  t.is((await final(a, ab.caller.callId, 'INVITE', seq)).status, 491, 'a re-INVITE would cross the transfer');
  await c.reply(invite, 486, 'Busy Here', { toTag: toTag(invite) });
  const failed = await ok(b, ab.callee, 'NOTIFY');
  t.is(sipfrag(failed), 'SIP/2.0 486 Busy Here');
  // The call goes on: a REFER is served again, and the call hangs up normally.
  await b.sendInDialog(ab.callee, 'REFER', { headers: ['Refer-To: <sip:1009@127.0.0.1>'] });
  t.is((await b.response(ab.callee.callId, 'REFER', 200)).status, 202);
  await ok(b, ab.callee, 'NOTIFY');
  t.is(sipfrag(await ok(b, ab.callee, 'NOTIFY')), 'SIP/2.0 404 Not Found');
  const bye = a.bye(ab.out);
  await ok(b, ab.callee, 'BYE');
  t.is((await bye).status, 200);
});

test('attended transfer from the caller side, the target being the consultation call caller', async (t) => {
  const { s, a, b, c } = await setup(t);
  const ab = await call(a, b); // call 1: 1001 calls 1002
  const ca = await call(c, a); // call 2: 1003 calls 1001
  const second = await waitFor('call 2', async () => (await s.admin.calls.list({ active: true })).find((r) => r.from === '1003' && r.state === 'answered'));
  // Replaces as 1001 sees its dialog of call 2: to-tag = the peer's (ours), from-tag = its own.
  const serverTag = /;tag=([^;>]+)/.exec(getHeader(ca.invite, 'From')!)![1]!;
  const replaces = `${ca.callee.callId}%3Bto-tag%3D${serverTag}%3Bfrom-tag%3D${toTag(ca.invite)}`;
  await a.sendInDialog(ab.caller, 'REFER', { headers: [`Refer-To: <sip:1003@127.0.0.1?Replaces=${replaces}>`, 'Referred-By: <sip:1001@127.0.0.1>'] });
  t.is((await a.response(ab.caller.callId, 'REFER', 200)).status, 202);
  await ok(a, ab.caller, 'NOTIFY');
  const offerless = await next(c, ca.caller.callId, 'INVITE');
  t.is(offerless.body.length, 0);
  await c.reply(offerless, 200, 'OK', { sdp: SDP_TARGET });
  const reinvite = await next(b, ab.callee.callId, 'INVITE');
  t.is(reinvite.body.toString(), SDP_TARGET);
  await b.reply(reinvite, 200, 'OK', { sdp: SDP_ANSWER });
  await b.requestIn(ab.callee.callId, 'ACK');
  t.is((await c.requestIn(ca.caller.callId, 'ACK')).body.toString(), SDP_ANSWER);
  t.is(sipfrag(await ok(a, ab.caller, 'NOTIFY')), 'SIP/2.0 200 OK');
  await ok(a, ab.caller, 'BYE');
  await ok(a, ca.callee, 'BYE');
  const ended2 = await waitFor('call 2 ended', async () => (await s.admin.calls.list()).find((r) => r.id === second.id && r.state === 'ended'));
  t.like(ended2, { hangupBy: 'callee', reason: 'transferred' });

  // 1003 hangs up in its own dialog (it was the caller of call 2): the BYE reaches 1002.
  const bye = c.bye(ca.out);
  await ok(b, ab.callee, 'BYE');
  t.is((await bye).status, 200);
  const rec = await waitFor('call 1 ended', async () => (await s.admin.calls.list()).find((r) => r.id !== second.id && r.state === 'ended'));
  t.like(rec, { from: '1003', to: '1002', hangupBy: 'caller', status: 200, reason: 'BYE' });
  const transferred = await waitFor('call.transferred', async () => (await allEvents(s, ['call.transferred']))[0]);
  t.like(transferred.payload, { transfer: { kind: 'attended', side: 'caller', by: '1001', to: '1003', transferee: '1002', referredBy: '<sip:1001@127.0.0.1>', replaced: second.id } });
});

test('the referrer hangs up right after 202: the transfer completes without it; when it fails, the transferee is released', async (t) => {
  const { s, a, b, c } = await setup(t);
  const ab = await call(a, b);
  await b.sendInDialog(ab.callee, 'REFER', { headers: ['Refer-To: <sip:1003@127.0.0.1>'] });
  t.is((await b.response(ab.callee.callId, 'REFER', 200)).status, 202);
  await ok(b, ab.callee, 'NOTIFY');
  await b.sendInDialog(ab.callee, 'BYE');
  t.is((await b.response(ab.callee.callId, 'BYE', 200)).status, 200, 'the referrer BYE is answered');
  const invite = await newInvite(c);
  await c.reply(invite, 200, 'OK', { toTag: toTag(invite), sdp: SDP_TARGET });
  const reinvite = await next(a, ab.caller.callId, 'INVITE');
  await a.reply(reinvite, 200, 'OK', { sdp: SDP_OFFER });
  await a.requestIn(ab.caller.callId, 'ACK');
  t.is((await ackOf(c, invite)).body.toString(), SDP_OFFER);
  const bye = a.bye(ab.out);
  const cDialog = calleeDialog(invite, toTag(invite));
  await ok(c, cDialog, 'BYE');
  t.is((await bye).status, 200);
  const rec = await waitFor('ended', async () => (await s.admin.calls.list()).find((r) => r.state === 'ended'));
  t.like(rec, { from: '1001', to: '1003', hangupBy: 'caller' });
  t.is(b.unclaimed().filter((m) => m.kind === 'request' && m.method !== 'ACK').length, 0, 'no NOTIFY or BYE to the referrer that left');

  // Again, and the target refuses: the transferee, alone now, is hung up.
  const ab2 = await call(a, b);
  await b.sendInDialog(ab2.callee, 'REFER', { headers: ['Refer-To: <sip:1003@127.0.0.1>'] });
  t.is((await b.response(ab2.callee.callId, 'REFER', 200)).status, 202);
  await ok(b, ab2.callee, 'NOTIFY');
  await b.sendInDialog(ab2.callee, 'BYE');
  await b.response(ab2.callee.callId, 'BYE', 200);
  const invite2 = await newInvite(c);
  await c.reply(invite2, 603, 'Decline', { toTag: toTag(invite2) });
  await ok(a, ab2.caller, 'BYE');
  const rec2 = await waitFor('second ended', async () => (await s.admin.calls.list()).find((r) => r.id !== rec.id && r.state === 'ended'));
  t.like(rec2, { from: '1001', to: '1002', hangupBy: 'callee', status: 200 });
});

test('a trunk call: the agent transfers the carrier caller to 1003 (record stays inbound); the carrier may not REFER (403)', async (t) => {
  const { s, b, c } = await setup(t);
  await s.admin.trunks.create({ name: 'carrier-x', host: '192.0.2.1', inboundCidrs: ['127.0.0.1/32'] });
  await s.admin.numbers.create({ number: '4930101', target: 'agent:1002' });
  const udp = (await s.admin.status()).listeners['sipUdp']!.port;
  const carrier = await udpUa(t, udp, 'carrier', 'x');
  const callId = `trunk-${Math.random().toString(36).slice(2)}`;
  await carrier.send(['INVITE sip:4930101@127.0.0.1 SIP/2.0', `Via: SIP/2.0/UDP ${carrier.host};branch=z9hG4bK${callId};rport`, 'Max-Forwards: 70',
    `From: <sip:4930555@127.0.0.1>;tag=${callId}`, 'To: <sip:4930101@127.0.0.1>', `Call-ID: ${callId}`, 'CSeq: 1 INVITE',
    `Contact: ${carrier.contact}`, 'Content-Type: application/sdp', `Content-Length: ${Buffer.byteLength(SDP_OFFER)}`, '', SDP_OFFER].join('\r\n'));
  const invite = await newInvite(b);
  await b.reply(invite, 200, 'OK', { toTag: toTag(invite), sdp: SDP_ANSWER });
  await ackOf(b, invite);
  const answered = await final(carrier, callId, 'INVITE', 1);
  const dialog: UaDialog = {
    callId, local: `<sip:4930555@127.0.0.1>;tag=${callId}`, remote: getHeader(answered, 'To')!, target: /<([^>]+)>/.exec(getHeader(answered, 'Contact')!)![1]!, seq: 1,
  };
  await carrier.sendInDialog(dialog, 'ACK', { cseq: 1 });
  const bDialog = calleeDialog(invite, toTag(invite));

  await carrier.sendInDialog(dialog, 'REFER', { headers: ['Refer-To: <sip:1003@127.0.0.1>'] });
  t.is((await carrier.response(callId, 'REFER', 200)).status, 403, 'only an agent side transfers');

  await b.sendInDialog(bDialog, 'REFER', { headers: ['Refer-To: <sip:1003@127.0.0.1>'] });
  t.is((await b.response(bDialog.callId, 'REFER', 200)).status, 202);
  await ok(b, bDialog, 'NOTIFY');
  const target = await newInvite(c);
  t.regex(getHeader(target, 'From')!, /^<sip:4930555@/, 'the target sees the carrier caller');
  await c.reply(target, 200, 'OK', { toTag: toTag(target), sdp: SDP_TARGET });
  const reinvite = await next(carrier, callId, 'INVITE');
  await carrier.reply(reinvite, 200, 'OK', { sdp: SDP_OFFER });
  await carrier.requestIn(callId, 'ACK');
  await ackOf(c, target);
  t.is(sipfrag(await ok(b, bDialog, 'NOTIFY')), 'SIP/2.0 200 OK');
  await ok(b, bDialog, 'BYE');
  const live = await waitFor('transferred', async () => (await s.admin.calls.list({ active: true })).find((r) => r.to === '1003'));
  t.like(live, { direction: 'inbound', trunk: 'carrier-x', from: '4930555', to: '1003' });
  const event = await waitFor('call.transferred', async () => (await s.admin.events.list({ types: ['call.transferred'] })).events[0]);
  t.is(event.agentId, '1003', 'the call is now the agent 1003\'s');
  t.like(event.payload, { transfer: { kind: 'blind', side: 'callee', by: '1002', from: '4930101', to: '1003', transferee: '4930555' } });
  await c.sendInDialog(calleeDialog(target, toTag(target)), 'BYE');
  await ok(carrier, dialog, 'BYE');
  t.is((await c.response(getHeader(target, 'Call-ID')!, 'BYE', 200)).status, 200);
});

test('the transferee hangs up while the target rings: the target is CANCELled, the referrer gets BYE', async (t) => {
  const { s, a, b, c } = await setup(t);
  const ab = await call(a, b);
  await b.sendInDialog(ab.callee, 'REFER', { headers: ['Refer-To: <sip:1003@127.0.0.1>'] });
  t.is((await b.response(ab.callee.callId, 'REFER', 200)).status, 202);
  await ok(b, ab.callee, 'NOTIFY');
  const invite = await newInvite(c);
  await c.reply(invite, 180, 'Ringing', { toTag: toTag(invite) });
  const bye = a.bye(ab.out);
  await ok(b, ab.callee, 'BYE');
  t.is((await bye).status, 200);
  const cancel = await c.request('CANCEL');
  t.is(getHeader(cancel, 'Call-ID'), getHeader(invite, 'Call-ID'));
  await c.reply(cancel, 200, 'OK');
  await c.reply(invite, 487, 'Request Terminated', { toTag: toTag(invite) });
  const rec = await waitFor('ended', async () => (await s.admin.calls.list()).find((r) => r.state === 'ended'));
  t.like(rec, { from: '1001', to: '1002', hangupBy: 'caller' });
  t.deepEqual(await allEvents(s, ['call.transferred']), []);
});

test('attended transfer where the referrer hangs up both calls right after 202: the transfer completes', async (t) => {
  const { s, a, b, c } = await setup(t);
  const ab = await call(a, b);
  const ac = await call(a, c);
  const serverTag = /;tag=([^;>]+)/.exec(ac.out.to!)![1]!;
  await a.sendInDialog(ab.caller, 'REFER', { headers: [`Refer-To: <sip:1003@127.0.0.1?Replaces=${ac.out.callId}%3Bto-tag%3D${serverTag}%3Bfrom-tag%3D${ac.out.fromTag}>`] });
  t.is((await a.response(ab.caller.callId, 'REFER', 200)).status, 202);
  await ok(a, ab.caller, 'NOTIFY');
  for (const d of [ab, ac]) t.is((await a.bye(d.out)).status, 200);
  const offerless = await next(c, ac.callee.callId, 'INVITE');
  await c.reply(offerless, 200, 'OK', { sdp: SDP_TARGET });
  const reinvite = await next(b, ab.callee.callId, 'INVITE');
  await b.reply(reinvite, 200, 'OK', { sdp: SDP_ANSWER });
  await b.requestIn(ab.callee.callId, 'ACK');
  t.is((await c.requestIn(ac.callee.callId, 'ACK')).body.toString(), SDP_ANSWER);
  const live = await waitFor('1003-1002', async () => (await s.admin.calls.list({ active: true })).find((r) => r.from === '1003'));
  t.like(live, { from: '1003', to: '1002', state: 'answered' });
  t.deepEqual(a.unclaimed().filter((m) => m.kind === 'request').map((m) => (m as SipRequest).method), [], 'nothing more to the referrer that left');
  await b.sendInDialog(ab.callee, 'BYE');
  await ok(c, ac.callee, 'BYE');
  t.is((await b.response(ab.callee.callId, 'BYE', 200)).status, 200);
});

test('blind transfer to an agent at its call limit: NOTIFY 486 and the target is not called', async (t) => {
  const { a, b, c } = await setup(t);
  const ab = await call(a, b);
  await call(c, a);
  await call(c, b); // 1003 is in 2 calls now (sip.maxCallsPerAgent, default 2)
  await b.sendInDialog(ab.callee, 'REFER', { headers: ['Refer-To: <sip:1003@127.0.0.1>'] });
  t.is((await b.response(ab.callee.callId, 'REFER', 200)).status, 202);
  t.is(sipfrag(await ok(b, ab.callee, 'NOTIFY')), 'SIP/2.0 100 Trying');
  t.is(sipfrag(await ok(b, ab.callee, 'NOTIFY')), 'SIP/2.0 486 Busy Here');
  t.is(c.unclaimed().filter((m) => m.kind === 'request' && m.method === 'INVITE' && !/;\s*tag=/.test(getHeader(m, 'To') ?? '')).length, 0);
});

/** INVITE `target` from `ua` with a Replaces header (and SDP_TARGET), answering the 407; the authenticated INVITE's call. */
async function replacingInvite(ua: CallUa, target: string, replaces: string): Promise<OutCall> {
  const rnd = Math.random().toString(36).slice(2);
  const c: OutCall = { callId: `repl-${rnd}`, fromTag: `f${rnd}`, uri: `sip:${target}@127.0.0.1`, cseq: 1, via: '', localSeq: 2 };
  const text = (cseq: number, auth?: string) => [
    `INVITE ${c.uri} SIP/2.0`, `Via: SIP/2.0/UDP ${ua.host};rport;branch=z9hG4bK${rnd}${cseq}`, 'Max-Forwards: 70',
    `From: <sip:${ua.user}@127.0.0.1>;tag=${c.fromTag}`, `To: <${c.uri}>`, `Call-ID: ${c.callId}`, `CSeq: ${cseq} INVITE`, `Contact: ${ua.contact}`,
    `Replaces: ${replaces}`, ...(auth ? [`Proxy-Authorization: ${auth}`] : []), 'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(SDP_TARGET)}`, '', SDP_TARGET,
  ].join('\r\n');
  await ua.send(text(1));
  const challenged = await final(ua, c.callId, 'INVITE', 1);
  await ua.send([`ACK ${c.uri} SIP/2.0`, `Via: SIP/2.0/UDP ${ua.host};rport;branch=z9hG4bK${rnd}1`, 'Max-Forwards: 70',
    `From: <sip:${ua.user}@127.0.0.1>;tag=${c.fromTag}`, `To: ${getHeader(challenged, 'To')}`, `Call-ID: ${c.callId}`, 'CSeq: 1 ACK', 'Content-Length: 0', '', ''].join('\r\n'));
  const challenge = getHeaders(challenged, 'Proxy-Authenticate').find((v) => /SHA-256/.test(v))!;
  c.cseq = 2;
  await ua.send(text(2, digest(challenge, 'INVITE', c.uri, ua.user, PW[ua.user as Ext])));
  return c;
}

test('INVITE with Replaces from the agent\'s other device takes over its call; another agent 403, unknown dialog 481', async (t) => {
  const { s, a, b, c } = await setup(t);
  const ab = await call(a, b);
  const udp = (await s.admin.status()).listeners['sipUdp']!.port;
  const a2 = await udpUa(t, udp, '1001', PW['1001']);
  t.is((await a2.register()).status, 200);
  const serverTag = /;tag=([^;>]+)/.exec(ab.out.to!)![1]!;
  const replaces = `${ab.out.callId};to-tag=${serverTag};from-tag=${ab.out.fromTag}`;

  const stranger = await replacingInvite(c, '1002', replaces);
  t.is((await final(c, stranger.callId, 'INVITE', 2)).status, 403, 'not 1003\'s call');
  const unknown = await replacingInvite(a2, '1002', `${ab.out.callId};to-tag=nope;from-tag=${ab.out.fromTag}`);
  t.is((await final(a2, unknown.callId, 'INVITE', 2)).status, 481);

  const moved = await replacingInvite(a2, '1002', replaces);
  const reinvite = await next(b, ab.callee.callId, 'INVITE');
  t.is(reinvite.body.toString(), SDP_TARGET, 'the new device offer goes to the other side');
  t.regex(getHeader(reinvite, 'Contact')!, /^<sip:1001@/);
  await b.reply(reinvite, 200, 'OK', { sdp: SDP_ANSWER });
  await ackOf(b, reinvite);
  const ok200 = await final(a2, moved.callId, 'INVITE', 2);
  t.is(ok200.status, 200);
  t.is(ok200.body.toString(), SDP_ANSWER);
  t.regex(getHeader(ok200, 'Contact')!, /^<sip:1002@/);
  await a2.ack(moved, ok200);
  await ok(a, ab.caller, 'BYE');

  const bye = a2.bye(moved);
  await ok(b, ab.callee, 'BYE');
  t.is((await bye).status, 200);
  const rec = await waitFor('ended', async () => (await s.admin.calls.list()).find((r) => r.state === 'ended'));
  t.like(rec, { from: '1001', to: '1002', hangupBy: 'caller', status: 200 });
  const event = await waitFor('call.transferred', async () => (await allEvents(s, ['call.transferred']))[0]);
  t.like(event.payload, { transfer: { kind: 'replaces', side: 'caller', by: '1001', from: '1001', to: '1001', transferee: '1002' } });
});
