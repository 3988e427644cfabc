/**
 * SIP transaction layer, part 1: the clock, the timers (RFC 3261 Table 4) and the client transactions
 * (§17.1.1 INVITE with RFC 6026 Accepted, §17.1.2 non-INVITE), driven through the TransactionLayer under a
 * FakeClock with an in-memory transport.
 */
import test from 'ava';
import { FakeClock } from '../src/sip/clock.js';
import { InviteClientState, NonInviteClientState } from '../src/sip/client-transaction.js';
import { getCSeq, getTo, getVias } from '../src/sip/fields.js';
import { getHeader, getHeaders, type SipRequest } from '../src/sip/message.js';
import { getParam } from '../src/sip/syntax.js';
import { transactionTimers } from '../src/sip/timers.js';
import { CARRIER, Harness, outgoing, over, reply, types } from './sip-transaction-helpers.js';

// ---- clock and timers ----

test('FakeClock fires due timers in time order, ties in creation order, including timers set while firing', (t) => {
  const clock = new FakeClock(1000);
  const log: string[] = [];
  clock.setTimer(30, () => log.push(`b@${clock.now()}`));
  clock.setTimer(10, () => {
    log.push(`a@${clock.now()}`);
    clock.setTimer(5, () => log.push(`a2@${clock.now()}`));
  });
  clock.setTimer(30, () => log.push(`c@${clock.now()}`));
  const dropped = clock.setTimer(20, () => log.push('never'));
  clock.clearTimer(dropped);
  clock.setTimer(0, () => log.push(`zero@${clock.now()}`));
  t.is(clock.nextDue(), 1000);
  clock.advance(29);
  t.deepEqual(log, ['zero@1000', 'a@1010', 'a2@1015']);
  t.is(clock.now(), 1029);
  clock.advance(1);
  t.deepEqual(log.slice(3), ['b@1030', 'c@1030']);
  t.is(clock.pending, 0);
  clock.setTimer(100, () => log.push('late'));
  clock.runAll();
  t.is(clock.now(), 1130);
  t.is(log.at(-1), 'late');
  t.throws(() => clock.advance(-1), { instanceOf: RangeError });
});

test('Table 4 timers: unreliable vs reliable transports, derived from T1/T2/T4, configurable', (t) => {
  const udp = transactionTimers(false);
  t.like(udp, { T1: 500, T2: 4000, T4: 5000, A: 500, B: 32_000, D: 32_000, E: 500, F: 32_000, G: 500, H: 32_000 });
  t.like(udp, { I: 5000, J: 32_000, K: 5000, L: 32_000, M: 32_000, trying: 200, reliable: false });
  const tcp = transactionTimers(true);
  t.like(tcp, { B: 32_000, D: 0, F: 32_000, H: 32_000, I: 0, J: 0, K: 0, L: 32_000, M: 32_000, reliable: true });
  const fast = transactionTimers(false, { t1: 100, t2: 400, t4: 1000, d: 7000 });
  t.like(fast, { A: 100, B: 6400, D: 7000, F: 6400, H: 6400, I: 1000, J: 6400, K: 1000, T2: 400 });
  t.throws(() => transactionTimers(false, { t1: 0 }), { instanceOf: RangeError });
  t.throws(() => transactionTimers(false, { t2: 100 }), { instanceOf: RangeError, message: /t2/ });
  t.throws(() => transactionTimers(false, { t4: Number.NaN }), { instanceOf: RangeError });
});

// ---- INVITE client transaction (§17.1.1) ----

test('INVITE client over UDP: Timer A doubles (500, 1000, 2000, ...) until Timer B = 64*T1 reports a 408', (t) => {
  const h = new Harness();
  const { tx, events } = h.send(outgoing('INVITE'));
  t.is(tx.state, InviteClientState.Calling);
  h.clock.advance(32_000 - 1);
  t.deepEqual(h.timesOf('INVITE'), [0, 500, 1500, 3500, 7500, 15_500, 31_500]);
  t.deepEqual(events, []);
  h.clock.advance(1);
  t.deepEqual(types(events), ['timeout', 'terminated']);
  const timeout = events[0]!.event;
  t.is(timeout.type === 'timeout' ? timeout.response.status : 0, 408);
  t.is(events[0]!.at, 32_000);
  t.is(tx.state, InviteClientState.Terminated);
  t.true(h.empty);
  // Every retransmission is the same request: same branch, same destination.
  const branches = new Set(h.sent.map((s) => getVias(s.message)?.[0]?.branch));
  t.is(branches.size, 1);
  t.true(h.sent.every((s) => s.to === CARRIER));
});

test('INVITE client over a reliable transport: no retransmissions, Timer B still times out', (t) => {
  const h = new Harness();
  const { events } = h.send(outgoing('INVITE'), over(CARRIER, 'tcp'));
  h.clock.advance(31_999);
  t.deepEqual(h.timesOf('INVITE'), [0]);
  h.clock.advance(1);
  t.deepEqual(types(events), ['timeout', 'terminated']);
  t.true(h.empty);
});

test('INVITE client: a provisional stops retransmissions and Timer B (Proceeding can ring for minutes)', (t) => {
  const h = new Harness();
  const { tx, events } = h.send(outgoing('INVITE'));
  h.clock.advance(700);
  h.receive(reply(tx.request, 100, 'Trying'), CARRIER);
  h.clock.advance(300);
  h.receive(reply(tx.request, 180, 'Ringing', 'callee-1'), CARRIER);
  t.is(tx.state, InviteClientState.Proceeding);
  h.clock.advance(180_000);
  t.deepEqual(h.timesOf('INVITE'), [0, 500]);
  t.deepEqual(types(events), ['response', 'response']);
  t.is(h.clock.pending, 0);
  h.receive(reply(tx.request, 486, 'Busy Here', 'callee-1'), CARRIER);
  t.is(tx.state, InviteClientState.Completed);
  t.deepEqual(h.timesOf('ACK'), [180_700 + 300]);
});

test('INVITE client: 3xx-6xx final gets an ACK (same branch, To tag of the response), retransmissions re-ACKed, Timer D', (t) => {
  const h = new Harness();
  const { tx, events } = h.send(outgoing('INVITE'));
  const busy = reply(tx.request, 486, 'Busy Here', 'callee-9');
  h.clock.advance(100);
  h.receive(busy, CARRIER);
  t.is(tx.state, InviteClientState.Completed);
  t.deepEqual(types(events), ['response']);
  const acks = h.sent.filter((s) => s.message.kind === 'request' && s.message.method === 'ACK');
  t.is(acks.length, 1);
  const ack = acks[0]!.message as SipRequest;
  t.is(acks[0]!.to, CARRIER);
  t.is(ack.uri, tx.request.uri);
  t.is(getHeaders(ack, 'Via').length, 1);
  t.is(getVias(ack)?.[0]?.branch, getVias(tx.request)?.[0]?.branch);
  t.is(getParam(getTo(ack)!.params, 'tag'), 'callee-9');
  t.deepEqual(getCSeq(ack), { seq: 1, method: 'ACK' });
  t.is(getHeader(ack, 'From'), getHeader(tx.request, 'From'));
  t.is(getHeader(ack, 'Call-ID'), getHeader(tx.request, 'Call-ID'));
  t.deepEqual(getHeaders(ack, 'Route'), getHeaders(tx.request, 'Route'));
  t.is(ack.body.length, 0);
  // No more INVITE retransmissions once Completed.
  h.clock.advance(5000);
  t.deepEqual(h.timesOf('INVITE'), [0]);
  // A retransmitted final is absorbed: ACK again, nothing to the TU.
  h.receive(busy, CARRIER);
  t.deepEqual(h.timesOf('ACK'), [100, 5100]);
  t.deepEqual(types(events), ['response']);
  // Timer D (32 s on UDP) then Terminated; later retransmissions are strays.
  h.clock.advance(32_000 - 5000 - 1);
  t.is(tx.state, InviteClientState.Completed);
  h.clock.advance(1);
  t.is(tx.state, InviteClientState.Terminated);
  t.deepEqual(types(events), ['response', 'terminated']);
  t.true(h.empty);
  t.is(h.receive(busy, CARRIER), 'stray');
  t.is(h.strays.length, 1);
});

test('INVITE client over TCP: the final response is ACKed and Timer D = 0 terminates at once', (t) => {
  const h = new Harness();
  const { tx, events } = h.send(outgoing('INVITE'), over(CARRIER, 'tcp'));
  h.receive(reply(tx.request, 603, 'Decline', 'x'), over(CARRIER, 'tcp'));
  t.is(tx.state, InviteClientState.Terminated);
  t.deepEqual(h.timesOf('ACK'), [0]);
  t.deepEqual(types(events), ['response', 'terminated']);
  t.true(h.empty);
});

test('INVITE client: 2xx goes to the TU without ACK; Accepted passes 2xx retransmissions on; Timer M terminates', (t) => {
  const h = new Harness();
  const { tx, events } = h.send(outgoing('INVITE'));
  h.clock.advance(600);
  const ok = reply(tx.request, 200, 'OK', 'callee-2');
  h.receive(ok, CARRIER);
  t.is(tx.state, InviteClientState.Accepted);
  t.deepEqual(types(events), ['response']);
  h.clock.advance(1000);
  h.receive(ok, CARRIER);
  h.receive(reply(tx.request, 200, 'OK', 'other-fork'), CARRIER);
  t.deepEqual(types(events), ['response', 'response', 'response']);
  t.deepEqual(h.timesOf('ACK'), [], 'the ACK for a 2xx belongs to the TU (§13.2.2.4)');
  t.deepEqual(h.timesOf('INVITE'), [0, 500]);
  h.clock.advance(32_000 - 1000);
  t.is(tx.state, InviteClientState.Terminated);
  t.is(events.at(-1)!.at, 600 + 32_000);
  t.true(h.empty);
  t.is(h.receive(ok, CARRIER), 'stray');
});

// ---- non-INVITE client transaction (§17.1.2) ----

test('non-INVITE client over UDP: Timer E doubles up to T2 (500, 1000, 2000, 4000, 4000, ...), Timer F 408', (t) => {
  const h = new Harness();
  const { tx, events } = h.send(outgoing('OPTIONS'));
  t.is(tx.state, NonInviteClientState.Trying);
  h.clock.advance(31_999);
  t.deepEqual(h.timesOf('OPTIONS'), [0, 500, 1500, 3500, 7500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500]);
  h.clock.advance(1);
  t.deepEqual(types(events), ['timeout', 'terminated']);
  const ev = events[0]!.event;
  t.is(ev.type === 'timeout' ? `${ev.response.status} ${getCSeq(ev.response)?.method}` : '', '408 OPTIONS');
  t.true(h.empty);
});

test('non-INVITE client: a provisional switches retransmissions to the T2 cadence; Timer F still runs', (t) => {
  const h = new Harness();
  const { tx, events } = h.send(outgoing('BYE'));
  h.clock.advance(600);
  h.receive(reply(tx.request, 100, 'Trying'), CARRIER);
  t.is(tx.state, NonInviteClientState.Proceeding);
  h.clock.advance(31_399);
  // 0, 500 in Trying; the pending E fires at 1500, then every T2.
  t.deepEqual(h.timesOf('BYE'), [0, 500, 1500, 5500, 9500, 13_500, 17_500, 21_500, 25_500, 29_500]);
  h.clock.advance(1);
  t.deepEqual(types(events), ['response', 'timeout', 'terminated']);
  t.true(h.empty);
});

test('non-INVITE client: final response to the TU once, retransmissions absorbed, Timer K = T4 then gone', (t) => {
  const h = new Harness();
  const { tx, events } = h.send(outgoing('BYE'));
  h.clock.advance(900);
  const ok = reply(tx.request, 200, 'OK', 'x');
  h.receive(ok, CARRIER);
  t.is(tx.state, NonInviteClientState.Completed);
  h.clock.advance(2000);
  h.receive(ok, CARRIER);
  h.receive(reply(tx.request, 100, 'Trying'), CARRIER);
  t.deepEqual(types(events), ['response']);
  t.deepEqual(h.timesOf('BYE'), [0, 500]);
  h.clock.advance(2999);
  t.is(tx.state, NonInviteClientState.Completed);
  h.clock.advance(1);
  t.is(tx.state, NonInviteClientState.Terminated);
  t.deepEqual(types(events), ['response', 'terminated']);
  t.true(h.empty);
});

test('non-INVITE client over TCP: sent once, Timer K = 0 so the final response terminates at once', (t) => {
  const h = new Harness();
  const { tx, events } = h.send(outgoing('REGISTER'), over(CARRIER, 'tcp'));
  h.clock.advance(10_000);
  t.deepEqual(h.timesOf('REGISTER'), [0]);
  h.receive(reply(tx.request, 401, 'Unauthorized', 'x'), over(CARRIER, 'tcp'));
  t.is(tx.state, NonInviteClientState.Terminated);
  t.deepEqual(types(events), ['response', 'terminated']);
  t.true(h.empty);
});

test('the state machines record every transition with the event that caused it', (t) => {
  const h = new Harness();
  const { tx } = h.send(outgoing('INVITE'), over(CARRIER, 'tcp'));
  h.receive(reply(tx.request, 180, 'Ringing', 'x'), CARRIER);
  h.receive(reply(tx.request, 404, 'Not Found', 'x'), CARRIER);
  t.deepEqual(
    h.traces.map((x) => `${x.from} -${x.event}-> ${x.to}`),
    ['Calling -1xx-> Proceeding', 'Proceeding -300-699-> Completed', 'Completed -Timer D-> Terminated'],
  );
  t.true(h.traces.every((x) => x.kind === 'invite-client' && x.transaction === tx.id));
});
