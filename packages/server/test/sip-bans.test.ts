/** Brute-force protection (sip/bans.ts) under a FakeClock, and scanner detection. */
import test from 'ava';
import { FakeClock } from '../src/sip/clock.js';
import { FailureTracker, isScanner, normalizeIp } from '../src/sip/bans.js';

function setup(opts: { maxFailures?: number; windowMs?: number; banMs?: number; maxTracked?: number; maxBans?: number } = {}) {
  const clock = new FakeClock(5_000);
  const tracker = new FailureTracker({ clock, maxFailures: 3, windowMs: 60_000, banMs: 600_000, ...opts });
  return { clock, tracker };
}

test('defaults: 10 failures within 60 s ban for 10 min', (t) => {
  const clock = new FakeClock();
  const tracker = new FailureTracker({ clock });
  for (let i = 0; i < 9; i++) t.is(tracker.recordFailure('192.0.2.1'), null);
  t.deepEqual(tracker.recordFailure('192.0.2.1'), { until: 600_000 });
  t.deepEqual(tracker.isBanned('192.0.2.1'), { until: 600_000 });
  clock.advance(600_000);
  t.is(tracker.isBanned('192.0.2.1'), null);
});

test('failures within the window ban; other addresses unaffected', (t) => {
  const { clock, tracker } = setup();
  t.is(tracker.recordFailure('192.0.2.1'), null);
  clock.advance(10_000);
  t.is(tracker.recordFailure('192.0.2.1'), null);
  clock.advance(10_000);
  t.deepEqual(tracker.recordFailure('192.0.2.1'), { until: 25_000 + 600_000 });
  t.deepEqual(tracker.isBanned('192.0.2.1'), { until: 625_000 });
  t.is(tracker.isBanned('192.0.2.2'), null);
  t.deepEqual(tracker.list(), [{ ip: '192.0.2.1', until: 625_000, failures: 3 }]);
  t.deepEqual(tracker.recordFailure('192.0.2.1'), { until: 625_000 }, 'a banned address stays banned, not extended');
});

test('the window slides: old failures stop counting', (t) => {
  const { clock, tracker } = setup();
  tracker.recordFailure('192.0.2.1');
  clock.advance(30_000);
  tracker.recordFailure('192.0.2.1');
  clock.advance(30_001);
  t.is(tracker.recordFailure('192.0.2.1'), null, 'the first failure left the window');
  clock.advance(29_000);
  t.not(tracker.recordFailure('192.0.2.1'), null, 'three within 60 s');
});

test('a ban expires', (t) => {
  const { clock, tracker } = setup();
  for (let i = 0; i < 3; i++) tracker.recordFailure('2001:db8::1');
  clock.advance(599_999);
  t.truthy(tracker.isBanned('2001:db8::1'));
  clock.advance(1);
  t.is(tracker.isBanned('2001:db8::1'), null);
  t.deepEqual(tracker.list(), []);
  t.is(tracker.recordFailure('2001:db8::1'), null, 'counting starts afresh');
});

test('success resets the failures (but does not lift a ban)', (t) => {
  const { tracker } = setup();
  tracker.recordFailure('192.0.2.1');
  tracker.recordFailure('192.0.2.1');
  tracker.recordSuccess('192.0.2.1');
  t.is(tracker.recordFailure('192.0.2.1'), null);
  t.is(tracker.recordFailure('192.0.2.1'), null);
  t.truthy(tracker.recordFailure('192.0.2.1'));
  tracker.recordSuccess('192.0.2.1');
  t.truthy(tracker.isBanned('192.0.2.1'));
});

test('unban lifts a ban and forgets failures', (t) => {
  const { tracker } = setup();
  for (let i = 0; i < 3; i++) tracker.recordFailure('192.0.2.1');
  t.true(tracker.unban('192.0.2.1'));
  t.is(tracker.isBanned('192.0.2.1'), null);
  t.false(tracker.unban('192.0.2.1'));
  t.is(tracker.recordFailure('192.0.2.1'), null);
});

test('onBan reports each new ban once, not the failures of an address banned already', (t) => {
  const clock = new FakeClock(5_000);
  const seen: unknown[] = [];
  const tracker = new FailureTracker({ clock, maxFailures: 2, banMs: 1_000, onBan: (b) => seen.push(b) });
  for (let i = 0; i < 4; i++) tracker.recordFailure('::ffff:192.0.2.1');
  t.deepEqual(seen, [{ ip: '192.0.2.1', until: 6_000, failures: 2 }]);
});

test('addresses are normalized (IPv4-mapped IPv6, case, brackets)', (t) => {
  const { tracker } = setup();
  tracker.recordFailure('::ffff:192.0.2.7');
  tracker.recordFailure('[::FFFF:192.0.2.7]');
  tracker.recordFailure('192.0.2.7');
  t.truthy(tracker.isBanned('192.0.2.7'));
  t.is(normalizeIp('[2001:DB8::1]'), '2001:db8::1');
});

test('memory cap: oldest failing addresses are evicted first', (t) => {
  const { clock, tracker } = setup({ maxTracked: 100 });
  for (let i = 0; i < 1000; i++) {
    tracker.recordFailure(`10.0.${i >> 8}.${i & 255}`);
    clock.advance(1);
  }
  t.is(tracker.size.tracked, 100);
  // 10.0.0.0 was evicted: two more failures do not ban it.
  tracker.recordFailure('10.0.0.0');
  t.is(tracker.recordFailure('10.0.0.0'), null);
  // 10.0.3.231 (the 1000th) is still tracked: two more ban it.
  tracker.recordFailure('10.0.3.231');
  t.truthy(tracker.recordFailure('10.0.3.231'));
});

test('memory cap on bans; expired state is pruned', (t) => {
  const { clock, tracker } = setup({ maxFailures: 1, maxBans: 50 });
  for (let i = 0; i < 200; i++) tracker.recordFailure(`10.1.0.${i}`);
  t.is(tracker.size.banned, 50);
  t.is(tracker.isBanned('10.1.0.0'), null, 'oldest ban lifted first');
  t.truthy(tracker.isBanned('10.1.0.199'));
  clock.advance(600_000);
  tracker.recordFailure('10.2.0.1');
  t.deepEqual(tracker.size, { tracked: 0, banned: 1 });
  t.deepEqual(tracker.list().map((b) => b.ip), ['10.2.0.1']);
});

test('stale failure counters are pruned over time', (t) => {
  const { clock, tracker } = setup();
  for (let i = 0; i < 50; i++) tracker.recordFailure(`10.3.0.${i}`);
  clock.advance(60_000);
  tracker.recordFailure('10.4.0.1');
  t.deepEqual(tracker.size, { tracked: 1, banned: 0 });
});

test('scanner user agents, case-insensitive substring; legitimate tools are not scanners', (t) => {
  for (const ua of ['friendly-scanner', 'Friendly-Scanner 1.0', 'sipvicious', 'SIPVicious/0.3', 'sipcli/v1.8', 'sip-scan', 'iWar',
    'SIVuS', 'VaxSIPUserAgent/3.1', 'pplsip', 'sundayddr', 'smap 0.6.0']) {
    t.true(isScanner(ua), ua);
  }
  for (const ua of ['sipsak 0.9.8', 'Ozeki VoIP SIP SDK', 'SIPp', 'JsSIP 3.10.0', 'baresip v3.0', 'Linphone', 'Zoiper', '', undefined, null]) {
    t.false(isScanner(ua), String(ua));
  }
});
