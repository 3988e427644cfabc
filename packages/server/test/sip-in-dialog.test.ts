/**
 * In-dialog requests through the B2BUA (calls/in-dialog.ts) with UDP test UAs: re-INVITE hold/unhold from
 * either side (SDP unchanged, the relayed leg ACKed by the B2BUA, the originator's ACK absorbed), failure
 * answers relayed, glare (491), INFO (application/dtmf-relay) relayed both ways with the other side's answer;
 * REFER blind transfer from the callee (202, NOTIFY sipfrag 100/200, offerless INVITE to the target, its
 * offer re-INVITEd to the transferee, the answer in the target's ACK, BYE to the referrer) and its failure;
 * hold/resume detected from the re-INVITE SDP as events call.held / call.resumed.
 */
import test, { type ExecutionContext } from 'ava';
import { getHeader, type SipRequest, type SipResponse } from '../src/sip/message.js';
import { allEvents, waitFor } from './helpers.js';
import { agentsServer, toTag } from './sip-agents.js';
import { type CallUa, calleeDialog, callerDialog, type OutCall, SDP_ANSWER, SDP_HELD, SDP_HOLD, SDP_OFFER, type UaDialog } from './sip-call-ua.js';



/**
 * The final response to `method` with CSeq number `seq` in `callId`: under load a retransmission of an
 * earlier answer (the call's 2xx until its ACK, a 488 we never ACK) may still arrive, so match the CSeq.
 */
const final = (ua: CallUa, callId: string, method: string, seq: number) => ua.wait<SipResponse>(`${seq} ${method} final`, (m) =>
  m.kind === 'response' && getHeader(m, 'Call-ID') === callId && getHeader(m, 'CSeq') === `${seq} ${method}` && m.status >= 200);

/** 1001 calls 1002, 1002 answers; both dialogs as the UAs see them. */
async function answeredCall(t: ExecutionContext) {
  const { s, ua } = await agentsServer(t);
  const a = await ua('1001');
  const b = await ua('1002');
  const call: OutCall = await a.invite('1002');
  const invite = await b.request('INVITE');
  await b.reply(invite, 200, 'OK', { toTag: toTag(invite), sdp: SDP_ANSWER });
  await b.request('ACK');
  const ok = await final(a, call.callId, 'INVITE', call.cseq);
  await a.ack(call, ok);
  await waitFor('answered', async () => (await s.admin.calls.list({ active: true })).find((c) => c.state === 'answered'));
  return { s, a, b, ua, call, aDialog: callerDialog(a, call), bDialog: calleeDialog(invite, toTag(invite)) };
}

const taken = new WeakMap<CallUa, Set<string>>();
/**
 * The next re-INVITE in `callId` for `ua`: with a To tag (not a late retransmission of the dialog's
 * initial INVITE) and a CSeq not taken before (not a retransmission of an earlier re-INVITE).
 */
async function reinviteIn(ua: CallUa, callId: string): Promise<SipRequest> {
  const known = taken.get(ua) ?? new Set<string>();
  taken.set(ua, known);
  const m = await ua.wait<SipRequest>(`re-INVITE in ${callId}`, (r) => r.kind === 'request' && r.method === 'INVITE' &&
    getHeader(r, 'Call-ID') === callId && /;\s*tag=/i.test(getHeader(r, 'To') ?? '') && !known.has(getHeader(r, 'CSeq') ?? ''));
  known.add(getHeader(m, 'CSeq') ?? '');
  return m;
}

/**
 * `from` re-INVITEs with `sdp`; `to` receives it in its dialog, answers `status` (with `answer` on 2xx);
 * returns what each side saw.
 */
async function reinvite(from: CallUa, fromDialog: UaDialog, to: CallUa, toDialog: UaDialog, sdp: string, status = 200, answer = SDP_HELD) {
  const seq = await from.sendInDialog(fromDialog, 'INVITE', { body: sdp });
  const relayed = await reinviteIn(to, toDialog.callId);
  await to.reply(relayed, status, status === 200 ? 'OK' : 'Not Acceptable Here', status === 200 ? { sdp: answer } : {});
  const ack = await to.requestIn(toDialog.callId, 'ACK');
  const res = await final(from, fromDialog.callId, 'INVITE', seq);
  if (res.status < 300) await from.sendInDialog(fromDialog, 'ACK', { cseq: seq });
  return { seq, relayed, ack, res };
}

test('re-INVITE hold from the caller and unhold from the callee: SDP unchanged, ACKs on each leg', async (t) => {
  const { a, b, call, aDialog, bDialog } = await answeredCall(t);
  const hold = await reinvite(a, aDialog, b, bDialog, SDP_HOLD);
  t.is(hold.relayed.body.toString(), SDP_HOLD, 'a=sendonly passes through');
  t.is(getHeader(hold.relayed, 'CSeq'), '2 INVITE', 'the callee leg has its own CSeq');
  t.regex(getHeader(hold.relayed, 'To')!, new RegExp(`tag=${bDialog.local.split('tag=')[1]}`));
  t.regex(getHeader(hold.relayed, 'Contact')!, /^<sip:1001@127\.0\.0\.1:\d+;transport=udp>$/);
  t.is(getHeader(hold.ack, 'CSeq'), '2 ACK', 'the B2BUA ACKs the relayed 2xx');
  t.is(hold.res.status, 200);
  t.is(hold.res.body.toString(), SDP_HELD, 'the answer passes through');
  t.is(getHeader(hold.res, 'CSeq'), `${hold.seq} INVITE`);
  t.regex(getHeader(hold.res, 'Contact')!, /^<sip:1002@/);

  const unhold = await reinvite(b, bDialog, a, aDialog, SDP_ANSWER, 200, SDP_OFFER);
  t.is(unhold.relayed.body.toString(), SDP_ANSWER);
  t.is(getHeader(unhold.relayed, 'Call-ID'), aDialog.callId);
  t.is(getHeader(unhold.ack, 'CSeq'), `${getHeader(unhold.relayed, 'CSeq')!.split(' ')[0]} ACK`);
  t.is(unhold.res.body.toString(), SDP_OFFER);

  // The originators' ACKs were absorbed, and the call still hangs up normally.
  const bye = a.bye(call);
  const byeIn = await b.requestIn(bDialog.callId, 'BYE');
  await b.reply(byeIn, 200, 'OK');
  t.is((await bye).status, 200);
  const acks = (ua: CallUa) => ua.unclaimed().filter((m) => m.kind === 'request' && m.method === 'ACK');
  t.deepEqual(acks(a), [], 'no ACK was relayed to the caller');
  t.deepEqual(acks(b), [], 'no ACK was relayed to the callee');
});

test('re-INVITE failure is relayed; glare gets 491 Request Pending', async (t) => {
  const { a, b, aDialog, bDialog } = await answeredCall(t);
  const refused = await reinvite(a, aDialog, b, bDialog, SDP_HOLD, 488);
  t.is(refused.res.status, 488, 'the failure reaches the originator');
  t.is(getHeader(refused.ack, 'CSeq'), '2 ACK', 'the non-2xx is ACKed by the transaction');

  const seq = await a.sendInDialog(aDialog, 'INVITE', { body: SDP_HOLD });
  const pending = await reinviteIn(b, bDialog.callId);
  const crossing = await b.sendInDialog(bDialog, 'INVITE', { body: SDP_ANSWER });
  t.is((await final(b, bDialog.callId, 'INVITE', crossing)).status, 491, 'glare');
  await b.reply(pending, 200, 'OK', { sdp: SDP_HELD });
  await b.requestIn(bDialog.callId, 'ACK');
  t.is((await final(a, aDialog.callId, 'INVITE', seq)).status, 200, 'the first re-INVITE completes');
  await a.sendInDialog(aDialog, 'ACK', { cseq: seq });
  const again = await reinvite(b, bDialog, a, aDialog, SDP_ANSWER, 200, SDP_OFFER);
  t.is(again.res.status, 200, 'a re-INVITE works again once none is pending');
});

test('hold and resume from the re-INVITE SDP become call.held / call.resumed events, by side', async (t) => {
  const { s, a, b, aDialog, bDialog } = await answeredCall(t);
  await reinvite(a, aDialog, b, bDialog, SDP_HOLD); // a=sendonly
  await reinvite(a, aDialog, b, bDialog, SDP_OFFER, 200, SDP_ANSWER); // no attribute: sendrecv
  const zero = SDP_ANSWER.replace('c=IN IP4 127.0.0.1', 'c=IN IP4 0.0.0.0'); // RFC 2543 hold
  await reinvite(b, bDialog, a, aDialog, zero, 200, SDP_OFFER);
  await reinvite(b, bDialog, a, aDialog, `${zero}a=inactive\r\n`, 200, SDP_OFFER); // still held: no event
  const inactive = SDP_ANSWER.replace('m=audio', 'a=inactive\r\nm=audio'); // session level
  await reinvite(a, aDialog, b, bDialog, inactive);
  await reinvite(b, bDialog, a, aDialog, `${SDP_ANSWER}a=sendrecv\r\n`, 200, SDP_OFFER);
  const events = await waitFor('5 hold events', async () => {
    const e = await allEvents(s, ['call.held', 'call.resumed']);
    return e.length >= 5 ? e : undefined;
  });
  t.deepEqual(events.map((e) => [e.type, e.payload['by'], e.payload['party']]), [
    ['call.held', 'caller', '1001'], ['call.resumed', 'caller', '1001'], ['call.held', 'callee', '1002'], ['call.held', 'caller', '1001'],
    ['call.resumed', 'callee', '1002'],
  ]);
});

test('INFO application/dtmf-relay is relayed both ways with the other side answer', async (t) => {
  const { a, b, aDialog, bDialog } = await answeredCall(t);
  const dtmf = 'Signal=5\r\nDuration=160\r\n';
  await a.sendInDialog(aDialog, 'INFO', { body: dtmf, contentType: 'application/dtmf-relay' });
  const info = await b.requestIn(bDialog.callId, 'INFO');
  t.is(info.body.toString(), dtmf);
  t.is(getHeader(info, 'Content-Type'), 'application/dtmf-relay');
  await b.reply(info, 200, 'OK');
  t.is((await a.response(aDialog.callId, 'INFO', 200)).status, 200);

  await b.sendInDialog(bDialog, 'INFO', { body: dtmf, contentType: 'application/x-unknown' });
  const back = await a.requestIn(aDialog.callId, 'INFO');
  await a.reply(back, 415, 'Unsupported Media Type');
  t.is((await b.response(bDialog.callId, 'INFO', 200)).status, 415, 'the other side answer is relayed');
});

const SDP_TARGET = 'v=0\r\no=target 3 3 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40004 RTP/AVP 0\r\n';
const sipfrag = (m: SipRequest) => m.body.toString().trim();

test('REFER blind transfer from the callee: the caller is bridged to 1003, the referrer is released', async (t) => {
  const { s, a, b, ua, call, aDialog, bDialog } = await answeredCall(t);
  const c = await ua('1003');
  await b.sendInDialog(bDialog, 'REFER', { headers: ['Refer-To: <sip:1003@127.0.0.1>'] });
  t.is((await b.response(bDialog.callId, 'REFER', 200)).status, 202);
  const trying = await b.requestIn(bDialog.callId, 'NOTIFY');
  t.is(getHeader(trying, 'Event'), 'refer');
  t.is(getHeader(trying, 'Content-Type'), 'message/sipfrag;version=2.0');
  t.is(sipfrag(trying), 'SIP/2.0 100 Trying');
  t.regex(getHeader(trying, 'Subscription-State')!, /^active/);
  await b.reply(trying, 200, 'OK');

  const invite = await c.request('INVITE');
  t.is(invite.body.length, 0, 'offerless INVITE to the target');
  t.regex(getHeader(invite, 'From')!, /^<sip:1001@/);
  await c.reply(invite, 180, 'Ringing', { toTag: toTag(invite) });
  await c.reply(invite, 200, 'OK', { toTag: toTag(invite), sdp: SDP_TARGET });
  const reinvite = await a.requestIn(aDialog.callId, 'INVITE');
  t.is(reinvite.body.toString(), SDP_TARGET, 'the target offer goes to the transferee');
  t.regex(getHeader(reinvite, 'Contact')!, /^<sip:1003@/);
  await a.reply(reinvite, 200, 'OK', { sdp: SDP_OFFER });
  t.is(getHeader(await a.requestIn(aDialog.callId, 'ACK'), 'CSeq'), `${getHeader(reinvite, 'CSeq')!.split(' ')[0]} ACK`);
  const ack = await c.request('ACK');
  t.is(ack.body.toString(), SDP_OFFER, 'the transferee answer goes in the target ACK');

  const done = await b.requestIn(bDialog.callId, 'NOTIFY');
  t.is(sipfrag(done), 'SIP/2.0 200 OK');
  t.regex(getHeader(done, 'Subscription-State')!, /^terminated/);
  await b.reply(done, 200, 'OK');
  await b.reply(await b.requestIn(bDialog.callId, 'BYE'), 200, 'OK');

  const byeDone = a.bye(call);
  const bye = await c.request('BYE');
  t.is(getHeader(bye, 'Call-ID'), getHeader(invite, 'Call-ID'));
  await c.reply(bye, 200, 'OK');
  t.is((await byeDone).status, 200);
  const rec = await waitFor('ended', async () => (await s.admin.calls.list()).find((r) => r.state === 'ended'));
  t.like(rec, { from: '1001', to: '1003', hangupBy: 'caller', status: 200 });
  t.deepEqual(rec.legs.map((l) => l.state), ['ended', 'ended']);
});

test('REFER to an unknown extension: NOTIFY 404, the call goes on', async (t) => {
  const { a, b, call, bDialog } = await answeredCall(t);
  await b.sendInDialog(bDialog, 'REFER', { headers: ['Refer-To: <sip:1009@127.0.0.1>'] });
  t.is((await b.response(bDialog.callId, 'REFER', 200)).status, 202);
  await b.reply(await b.requestIn(bDialog.callId, 'NOTIFY'), 200, 'OK');
  const failed = await b.requestIn(bDialog.callId, 'NOTIFY');
  t.is(sipfrag(failed), 'SIP/2.0 404 Not Found');
  t.regex(getHeader(failed, 'Subscription-State')!, /^terminated/);
  await b.reply(failed, 200, 'OK');
  const byeDone = a.bye(call);
  await b.reply(await b.requestIn(bDialog.callId, 'BYE'), 200, 'OK');
  t.is((await byeDone).status, 200);
});
