/**
 * SIP transaction layer, part 2: server transactions (RFC 3261 §17.2.1 INVITE with RFC 6026 Accepted,
 * §17.2.2 non-INVITE), fed realistic requests through the TransactionLayer under a FakeClock.
 */
import test from 'ava';
import { getCSeq, getVias } from '../src/sip/fields.js';
import { getHeader } from '../src/sip/message.js';
import { InviteServerState, NonInviteServerState, type ServerTransaction } from '../src/sip/server-transaction.js';
import { createResponse } from '../src/sip/transaction-messages.js';
import { ALICE, Harness, over, request } from './sip-transaction-helpers.js';

function only(h: Harness): ServerTransaction {
  if (h.requests.length !== 1) throw new Error(`expected one new request, got ${h.requests.length}`);
  return h.requests[0]!;
}

const ACK_FOR_486 = { method: 'ACK', toTag: 'uas-1' };

// ---- INVITE server transaction (§17.2.1) ----

test('INVITE server: 100 Trying after 200 ms when the TU is silent, sent to the packet source', (t) => {
  const h = new Harness();
  t.is(h.receive(request()), 'created');
  const tx = only(h);
  t.is(tx.state, InviteServerState.Proceeding);
  h.clock.advance(199);
  t.deepEqual(h.sent, []);
  h.clock.advance(1);
  t.deepEqual(h.timesOf('100 Trying'), [200]);
  const trying = h.sent[0]!;
  t.deepEqual(trying.to, ALICE);
  t.is(getHeader(trying.message, 'Via'), getHeader(tx.request, 'Via'));
  t.deepEqual(getCSeq(trying.message), { seq: 314159, method: 'INVITE' });
});

test('INVITE server: no 100 Trying when the TU answers within 200 ms', (t) => {
  const h = new Harness();
  h.receive(request());
  h.clock.advance(150);
  t.true(only(h).respond(createResponse(only(h).request, 180, 'Ringing', { toTag: 'uas-1' })));
  h.clock.advance(10_000);
  t.deepEqual(h.sent.map((s) => s.at), [150]);
  t.is((h.sent[0]!.message as { status: number }).status, 180);
});

test('INVITE server: a retransmitted INVITE is absorbed before any response, then re-sends the last provisional', (t) => {
  const h = new Harness();
  h.receive(request(), ALICE);
  const tx = only(h);
  h.clock.advance(100);
  t.is(h.receive(request()), 'matched');
  t.deepEqual(h.sent, []);
  h.clock.advance(100); // 100 Trying
  h.receive(request());
  tx.respond(createResponse(tx.request, 180, 'Ringing', { toTag: 'uas-1' }));
  h.clock.advance(300);
  h.receive(request());
  t.deepEqual(h.sent.map((s) => `${s.at} ${(s.message as { status: number }).status}`), ['200 100', '200 100', '200 180', '500 180']);
  t.is(h.requests.length, 1, 'retransmissions never reach the TU');
});

test('INVITE server over UDP: non-2xx final retransmitted by Timer G (capped at T2) until the ACK; Confirmed; Timer I', (t) => {
  const h = new Harness();
  h.receive(request());
  const tx = only(h);
  tx.respond(createResponse(tx.request, 486, 'Busy Here', { toTag: 'uas-1' }));
  t.is(tx.state, InviteServerState.Completed);
  h.clock.advance(16_000);
  t.deepEqual(h.timesOf('486'), [0, 500, 1500, 3500, 7500, 11_500, 15_500]);
  // A retransmitted INVITE in Completed re-sends the final response.
  h.receive(request());
  t.deepEqual(h.timesOf('486').slice(-1), [16_000]);
  // ACK (same branch as the INVITE, §17.1.1.3) matches and confirms; not passed to the TU.
  t.is(h.receive(request(ACK_FOR_486)), 'matched');
  t.is(tx.state, InviteServerState.Confirmed);
  t.deepEqual(h.acks, []);
  h.clock.advance(1000);
  t.is(h.receive(request(ACK_FOR_486)), 'matched', 'ACK retransmission absorbed in Confirmed');
  t.deepEqual(h.timesOf('486').length, 8, 'no retransmission after the ACK');
  h.clock.advance(3999);
  t.is(tx.state, InviteServerState.Confirmed);
  h.clock.advance(1);
  t.is(tx.state, InviteServerState.Terminated);
  t.deepEqual(h.serverEvents.map((e) => e.event.type), ['terminated']);
  t.true(h.empty);
});

test('INVITE server: Timer H fires without an ACK, the TU is told, the transaction terminates', (t) => {
  const h = new Harness();
  h.receive(request());
  const tx = only(h);
  h.clock.advance(50);
  tx.respond(createResponse(tx.request, 480, 'Temporarily Unavailable', { toTag: 'uas-1' }));
  h.clock.advance(32_000 - 1);
  t.is(tx.state, InviteServerState.Completed);
  h.clock.advance(1);
  t.is(tx.state, InviteServerState.Terminated);
  t.deepEqual(h.serverEvents.map((e) => `${e.at} ${e.event.type}`), ['32050 timeout', '32050 terminated']);
  // Between: 0.05, 0.55, 1.55, 3.55, 7.55, then every T2 up to 31.55 s.
  t.deepEqual(h.timesOf('480'), [50, 550, 1550, 3550, 7550, 11_550, 15_550, 19_550, 23_550, 27_550, 31_550]);
  t.true(h.empty);
});

test('INVITE server over TCP: no Timer G, ACK confirms and Timer I = 0 terminates at once', (t) => {
  const tcp = over(ALICE, 'tcp');
  const h = new Harness();
  h.receive(request({ transport: 'TCP' }), tcp);
  const tx = only(h);
  tx.respond(createResponse(tx.request, 603, 'Decline', { toTag: 'uas-1' }));
  h.clock.advance(20_000);
  t.deepEqual(h.timesOf('603'), [0]);
  t.deepEqual(h.sent[0]!.to, tcp);
  h.receive(request({ transport: 'TCP', ...ACK_FOR_486 }), tcp);
  t.is(tx.state, InviteServerState.Terminated);
  t.true(h.empty);
});

test('INVITE server: 2xx -> Accepted absorbs INVITE retransmissions, sends the TU 2xx retransmissions, Timer L', (t) => {
  const h = new Harness();
  h.receive(request());
  const tx = only(h);
  const ok = createResponse(tx.request, 200, 'OK', { toTag: 'uas-1' });
  tx.respond(ok);
  t.is(tx.state, InviteServerState.Accepted);
  h.clock.advance(500);
  t.is(h.receive(request()), 'matched');
  t.deepEqual(h.timesOf('200'), [0], 'the transaction never retransmits a 2xx itself (RFC 6026 §7.1)');
  t.true(tx.respond(ok), 'the TU (UAS core, §13.3.1.4) retransmits the 2xx through the transaction');
  t.deepEqual(h.timesOf('200'), [0, 500]);
  // The ACK for a 2xx has its own branch: no transaction matches, the TU gets it.
  t.is(h.receive(request({ method: 'ACK', toTag: 'uas-1', branch: 'z9hG4bKack2xx' })), 'ack');
  t.is(h.acks.length, 1);
  // An ACK reusing the INVITE's branch reaches the Accepted transaction, which passes it up.
  t.is(h.receive(request({ method: 'ACK', toTag: 'uas-1' })), 'matched');
  t.deepEqual(h.serverEvents.map((e) => e.event.type), ['ack']);
  h.clock.advance(32_000 - 500 - 1);
  t.is(tx.state, InviteServerState.Accepted);
  h.clock.advance(1);
  t.is(tx.state, InviteServerState.Terminated);
  t.is(h.requests.length, 1);
  t.true(h.empty);
});

test('INVITE server: responses the current state takes no more are refused', (t) => {
  const h = new Harness();
  h.receive(request());
  const tx = only(h);
  t.true(tx.respond(createResponse(tx.request, 486, 'Busy Here', { toTag: 'a' })));
  t.false(tx.respond(createResponse(tx.request, 200, 'OK', { toTag: 'a' })));
  t.false(tx.respond(createResponse(tx.request, 180, 'Ringing', { toTag: 'a' })));
  t.deepEqual(h.sent.map((s) => (s.message as { status: number }).status), [486]);
});

// ---- non-INVITE server transaction (§17.2.2) ----

test('non-INVITE server: retransmissions discarded in Trying, answered with the last response after it; Timer J', (t) => {
  const h = new Harness();
  const bye = request({ method: 'BYE', toTag: 'uas-1', cseq: 2 });
  t.is(h.receive(bye), 'created');
  const tx = only(h);
  t.is(tx.state, NonInviteServerState.Trying);
  h.clock.advance(500);
  t.is(h.receive(bye), 'matched');
  t.deepEqual(h.sent, [], 'no automatic 100 for non-INVITE; retransmission in Trying discarded');
  tx.respond(createResponse(tx.request, 100, 'Trying'));
  t.is(tx.state, NonInviteServerState.Proceeding);
  h.clock.advance(1000);
  h.receive(bye);
  tx.respond(createResponse(tx.request, 200, 'OK'));
  t.is(tx.state, NonInviteServerState.Completed);
  h.clock.advance(2000);
  h.receive(bye);
  t.false(tx.respond(createResponse(tx.request, 500, 'Server Internal Error')), 'a second final is discarded');
  t.deepEqual(h.sent.map((s) => `${s.at} ${(s.message as { status: number }).status}`), ['500 100', '1500 100', '1500 200', '3500 200']);
  h.clock.advance(32_000 - 2000 - 1);
  t.is(tx.state, NonInviteServerState.Completed);
  h.clock.advance(1);
  t.is(tx.state, NonInviteServerState.Terminated);
  t.is(h.requests.length, 1);
  t.true(h.empty);
  // After Timer J the same request is new again.
  t.is(h.receive(bye), 'created');
});

test('non-INVITE server over TCP: Timer J = 0, terminated as the final response leaves', (t) => {
  const tcp = over(ALICE, 'ws');
  const h = new Harness({ onRequest: (tx) => tx.respond(createResponse(tx.request, 200, 'OK', { toTag: 'r' })) });
  h.receive(request({ method: 'OPTIONS', transport: 'WS' }), tcp);
  t.is(only(h).state, NonInviteServerState.Terminated);
  t.is(h.sent.length, 1);
  t.deepEqual(h.sent[0]!.to, tcp);
  t.is(getVias(h.sent[0]!.message)?.[0]?.transport, 'WS');
  t.true(h.empty);
});
