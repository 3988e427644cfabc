/**
 * calls/call-timers.ts under a FakeClock: the §13.3.1.4 2xx retransmission schedule (T1 doubling to T2,
 * 64*T1 deadline), stop on ACK; Timer C restarted by provisional responses; option checks.
 */
import test from 'ava';
import { AnswerTimers, LegTimers, resolveCallTimers } from '../src/calls/call-timers.js';
import { FakeClock } from '../src/sip/clock.js';

test('2xx retransmissions: at T1, 3*T1, 7*T1, then every T2; expired at 64*T1; nothing after', (t) => {
  const clock = new FakeClock();
  const timers = new AnswerTimers<object>(resolveCallTimers({ clock }));
  const key = {};
  const sent: number[] = [];
  let expired = -1;
  timers.start(key, () => sent.push(clock.now()), () => (expired = clock.now()));
  clock.advance(40_000);
  t.deepEqual(sent, [500, 1500, 3500, 7500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500]);
  t.is(expired, 32_000);
  t.false(timers.waiting(key));
  t.is(clock.pending, 0);
});

test('the ACK stops the retransmissions and the deadline', (t) => {
  const clock = new FakeClock();
  const timers = new AnswerTimers<object>(resolveCallTimers({ clock, t1: 100, t2: 400 }));
  const key = {};
  let sent = 0;
  let expired = false;
  timers.start(key, () => sent++, () => (expired = true));
  clock.advance(350);
  t.is(sent, 2, 'at 100 and 300');
  t.true(timers.stop(key));
  t.false(timers.stop(key), 'stopping twice is harmless');
  clock.runAll();
  t.is(sent, 2);
  t.false(expired);
});

test('Timer C: fires after timerC, restarted by each provisional; stop cancels it', (t) => {
  const clock = new FakeClock();
  const legs = new LegTimers<object>(resolveCallTimers({ clock }));
  const [a, b] = [{}, {}];
  const fired: Array<[string, number]> = [];
  legs.arm(a, () => fired.push(['a', clock.now()]));
  legs.arm(b, () => fired.push(['b', clock.now()]));
  clock.advance(100_000);
  legs.restart(a);
  legs.stop(b);
  clock.advance(179_999);
  t.deepEqual(fired, []);
  clock.advance(1);
  t.deepEqual(fired, [['a', 280_000]]);
  t.false(legs.armed(a));
  legs.restart(a);
  t.is(clock.pending, 0, 'restart without a timer does nothing');
});

test('timer options are checked', (t) => {
  t.throws(() => resolveCallTimers({ t1: 0 }), { instanceOf: RangeError });
  t.throws(() => resolveCallTimers({ t1: 500, t2: 100 }), { instanceOf: RangeError });
  t.throws(() => resolveCallTimers({ timerC: Number.NaN }), { instanceOf: RangeError });
  t.like(resolveCallTimers(), { t1: 500, t2: 4000, timerC: 180_000 });
});
