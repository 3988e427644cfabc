/** The dialog layer (sip/dialog.ts, RFC 3261 §12): UAS/UAC state, in-dialog requests, matching, transitions. */
import test from 'ava';
import {
  acceptRemoteSeq, createInDialogRequest, DIALOG_TABLE, DialogEvent, DialogState, incomingKey, keyOf, transition, uacDialog, uasDialog,
} from '../src/sip/dialog.js';
import { getHeader, getHeaders, type SipRequest, type SipResponse } from '../src/sip/message.js';
import { parseMessage } from '../src/sip/parse.js';

const parse = <T>(text: string) => {
  const r = parseMessage(Buffer.from(text), { transport: 'udp' });
  if (!r.ok) throw new Error(r.error.reason);
  return r.message as T;
};

const INVITE = parse<SipRequest>([
  'INVITE sip:1002@127.0.0.1 SIP/2.0', 'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKa', 'Max-Forwards: 70',
  'From: <sip:1001@127.0.0.1>;tag=caller', 'To: <sip:1002@127.0.0.1>', 'Call-ID: c1', 'CSeq: 7 INVITE',
  'Contact: <sip:1001@127.0.0.1:5070>', 'Record-Route: <sip:p1.example;lr>, <sip:p2.example;lr>', 'Content-Length: 0', '', '',
].join('\r\n'));
const PEER = { transport: 'udp' as const, address: '127.0.0.1', port: 5070 };

test('UAS dialog (§12.1.1): tags, target, route set, CSeq; BYE and matching', (t) => {
  const d = uasDialog(INVITE, 'ours', PEER, DialogState.Confirmed);
  t.like(d, { callId: 'c1', localTag: 'ours', remoteTag: 'caller', remoteTarget: 'sip:1001@127.0.0.1:5070', remoteSeq: 7, localSeq: 0 });
  t.deepEqual(d.routeSet, ['<sip:p1.example;lr>', '<sip:p2.example;lr>']);
  const bye = createInDialogRequest(d, 'BYE', { via: 'SIP/2.0/UDP 127.0.0.1:5060;rport' });
  t.is(bye.uri, 'sip:1001@127.0.0.1:5070');
  t.is(getHeader(bye, 'From'), '<sip:1002@127.0.0.1>;tag=ours');
  t.is(getHeader(bye, 'To'), '<sip:1001@127.0.0.1>;tag=caller');
  t.is(getHeader(bye, 'CSeq'), '1 BYE');
  t.deepEqual(getHeaders(bye, 'Route'), d.routeSet);
  // The peer's BYE: To tag is ours, From tag theirs.
  const theirs = parse<SipRequest>([
    'BYE sip:1002@127.0.0.1:5060 SIP/2.0', 'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKb', 'Max-Forwards: 70',
    'From: <sip:1001@127.0.0.1>;tag=caller', 'To: <sip:1002@127.0.0.1>;tag=ours', 'Call-ID: c1', 'CSeq: 8 BYE', 'Content-Length: 0', '', '',
  ].join('\r\n'));
  t.is(incomingKey(theirs), keyOf(d));
  t.true(acceptRemoteSeq(d, theirs));
  t.false(acceptRemoteSeq(d, theirs), 'a CSeq not higher than the last is out of order');
});

test('UAC dialog (§12.1.2) and the ACK for a 2xx with the INVITE CSeq', (t) => {
  const ok = parse<SipResponse>([
    'SIP/2.0 200 OK', 'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKa', 'From: <sip:1001@127.0.0.1>;tag=caller',
    'To: <sip:1002@127.0.0.1>;tag=callee', 'Call-ID: c1', 'CSeq: 7 INVITE', 'Contact: <sip:1002@127.0.0.1:5080>',
    'Record-Route: <sip:p1.example;lr>, <sip:p2.example;lr>', 'Content-Length: 0', '', '',
  ].join('\r\n'));
  const d = uacDialog(INVITE, ok, PEER);
  t.like(d, { state: DialogState.Confirmed, localTag: 'caller', remoteTag: 'callee', remoteTarget: 'sip:1002@127.0.0.1:5080', localSeq: 7 });
  t.deepEqual(d.routeSet, ['<sip:p2.example;lr>', '<sip:p1.example;lr>'], 'reversed at the UAC');
  const ack = createInDialogRequest(d, 'ACK', { via: 'SIP/2.0/UDP h;branch=z9hG4bKack' }, 7);
  t.is(getHeader(ack, 'CSeq'), '7 ACK');
  t.is(createInDialogRequest(d, 'BYE', { via: 'SIP/2.0/UDP h' }).headers.find((h) => h.name === 'CSeq')!.value, '8 BYE');
});

test('transition table: early -> confirmed -> terminated; terminated stays', (t) => {
  const d = uasDialog(INVITE, 'x', PEER);
  t.is(d.state, DialogState.Early);
  t.is(transition(d, DialogEvent.Provisional), DialogState.Early);
  t.is(transition(d, DialogEvent.Success), DialogState.Confirmed);
  t.is(transition(d, DialogEvent.Failure), DialogState.Confirmed, 'a confirmed dialog ends only by BYE');
  t.is(transition(d, DialogEvent.Bye), DialogState.Terminated);
  t.deepEqual(DIALOG_TABLE[DialogState.Terminated], {});
  t.is(transition(uasDialog(INVITE, 'y', PEER), DialogEvent.Failure), DialogState.Terminated);
});
