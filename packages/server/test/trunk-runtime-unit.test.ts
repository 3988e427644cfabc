/**
 * TrunkHealth (OPTIONS keepalive) and TrunkRegistrations (outbound REGISTER) under a FakeClock with a fake
 * transaction layer that records requests and lets the test answer them: the state tables of
 * routing/trunk-health.ts and routing/trunk-registration.ts, timing included (interval, refresh at 90%,
 * doubling retry), and no timer left after stop.
 */
import test from 'ava';
import { createLogger } from '../src/logger.js';
import { TrunkHealth, TrunkState } from '../src/routing/trunk-health.js';
import { grantedExpires, RegistrationState, TrunkRegistrations } from '../src/routing/trunk-registration.js';
import { FakeClock } from '../src/sip/clock.js';
import { getHeader, type SipRequest, type SipResponse } from '../src/sip/message.js';
import type { ClientEvent } from '../src/sip/transaction-types.js';

const log = createLogger('silent');
const local = () => ({ host: '127.0.0.1', port: 5060 });

interface Sent {
  request: SipRequest;
  answer(status: number, headers?: Array<[string, string]>): void;
  fail(kind: 'timeout' | 'transport-error'): void;
}

function fakeLayer() {
  const sent: Sent[] = [];
  const layer = {
    sendRequest(request: SipRequest, _dest: unknown, user: (e: ClientEvent, tx: never) => void) {
      const res = (status: number, headers: Array<[string, string]> = []): SipResponse => ({
        kind: 'response', version: 'SIP/2.0', status, reason: 'x', headers: headers.map(([name, value]) => ({ name, value })), body: Buffer.alloc(0),
      });
      sent.push({
        request,
        answer: (status, headers) => user({ type: 'response', response: res(status, headers) }, undefined as never),
        fail: (kind) => user(kind === 'timeout' ? { type: 'timeout', response: res(408) } : { type: 'transport-error', response: res(503), error: new Error('x') }, undefined as never),
      });
      return undefined as never;
    },
  };
  return { sent, layer };
}

const flush = () => new Promise((r) => setImmediate(r));

test('TrunkHealth: a probe per interval; 200 up, 503 and timeout down; a pending probe is not repeated; stop clears the timer', async (t) => {
  const clock = new FakeClock();
  const { sent, layer } = fakeLayer();
  const changes: string[] = [];
  const health = new TrunkHealth({
    layer, clock, intervalMs: 30_000, local, log, userAgent: 'test',
    targets: async () => [{ name: 'c1', host: 'carrier.test', port: 5060, transport: 'udp', destination: { transport: 'udp', address: '127.0.0.1', port: 5060 } }],
    changed: (name, state) => changes.push(`${name} ${state}`),
  });
  health.start();
  t.is(health.view('c1').state, TrunkState.Unknown);
  clock.advance(0);
  await flush();
  t.is(sent.length, 1);
  t.is(sent[0]!.request.method, 'OPTIONS');
  t.is(sent[0]!.request.uri, 'sip:carrier.test:5060');
  sent[0]!.answer(200);
  t.is(health.view('c1').state, TrunkState.Up);
  t.truthy(health.view('c1').lastSeen);

  clock.advance(30_000);
  await flush();
  t.is(sent.length, 2);
  sent[1]!.answer(503);
  t.true(health.isDown('c1'));

  clock.advance(30_000);
  await flush();
  t.is(sent.length, 3);
  clock.advance(30_000); // the third probe is still pending: no new one
  await flush();
  t.is(sent.length, 3);
  sent[2]!.fail('timeout');
  t.is(health.view('c1').lastStatus, 408);
  t.deepEqual(changes, ['c1 up', 'c1 down'], 'events only on changes');
  await flush();
  health.stop();
  t.is(clock.pending, 0);
});

const target = {
  name: 'c1', host: 'carrier.test', port: 5060, transport: 'udp' as const, destination: { transport: 'udp' as const, address: '127.0.0.1', port: 5060 },
  credentials: { username: 'acct', password: 'pw' },
};

test('TrunkRegistrations: 401 answered once, refresh at 90% of the granted expires, doubling retry after failures, unREGISTER on stop', async (t) => {
  const clock = new FakeClock();
  const { sent, layer } = fakeLayer();
  const changes: string[] = [];
  const regs = new TrunkRegistrations({ layer, clock, local, log, userAgent: 'test', retryMs: 1000, changed: (n, s) => changes.push(`${n} ${s}`) });
  regs.sync([target]);
  t.is(sent.length, 1);
  t.is(regs.view('c1').state, RegistrationState.Registering);
  sent[0]!.answer(401, [['WWW-Authenticate', 'Digest realm="c", nonce="n", algorithm=MD5']]);
  t.is(sent.length, 2);
  t.regex(getHeader(sent[1]!.request, 'Authorization')!, /^Digest username="acct", realm="c", nonce="n"/);
  t.is(getHeader(sent[1]!.request, 'CSeq'), '2 REGISTER');
  sent[1]!.answer(200, [['Contact', '<sip:acct@127.0.0.1:5060;transport=udp>;expires=100']]);
  t.is(regs.view('c1').state, RegistrationState.Registered);

  clock.advance(89_999);
  t.is(sent.length, 2);
  clock.advance(1);
  t.is(sent.length, 3, 'refresh at 90 s of 100 s');
  t.is(getHeader(sent[2]!.request, 'CSeq'), '3 REGISTER');
  t.is(regs.view('c1').state, RegistrationState.Registered, 'still registered while the refresh runs');
  sent[2]!.fail('timeout');
  t.is(regs.view('c1').state, RegistrationState.Failed);
  clock.advance(1000);
  t.is(sent.length, 4, 'first retry after 1 s');
  sent[3]!.answer(500);
  clock.advance(1999);
  t.is(sent.length, 4);
  clock.advance(1);
  t.is(sent.length, 5, 'second retry after 2 s');
  sent[4]!.answer(200, [['Expires', '60']]);
  t.deepEqual(changes, ['c1 registered', 'c1 failed', 'c1 registered']);

  const stopping = regs.stop();
  t.is(getHeader(sent[5]!.request, 'Expires'), '0');
  sent[5]!.answer(200);
  await stopping;
  t.is(clock.pending, 0, 'no timer left');
  t.is(regs.view('c1').state, RegistrationState.Off);
});

test('TrunkRegistrations: a changed trunk re-registers, a removed one unregisters; 423 asks for Min-Expires', (t) => {
  const clock = new FakeClock();
  const { sent, layer } = fakeLayer();
  const regs = new TrunkRegistrations({ layer, clock, local, log, userAgent: 'test', changed: () => {} });
  regs.sync([target]);
  sent[0]!.answer(423, [['Min-Expires', '7200']]);
  t.is(getHeader(sent[1]!.request, 'Expires'), '7200');
  sent[1]!.answer(200);
  t.is(regs.view('c1').state, RegistrationState.Registered);
  regs.sync([{ ...target, credentials: { username: 'acct', password: 'new' } }]);
  t.is(getHeader(sent[2]!.request, 'Expires'), '0', 'the old registration ends');
  t.is(getHeader(sent[3]!.request, 'Expires'), '3600', 'the new one starts');
  regs.sync([]);
  t.is(sent.length, 4, 'not registered yet: nothing to unREGISTER');
  t.is(clock.pending, 0);
});

test('grantedExpires: our Contact expires, else Expires, else undefined', (t) => {
  const res = (headers: Array<[string, string]>): SipResponse => ({
    kind: 'response', version: 'SIP/2.0', status: 200, reason: 'OK', headers: headers.map(([name, value]) => ({ name, value })), body: Buffer.alloc(0),
  });
  t.is(grantedExpires(res([['Contact', '<sip:other@x>;expires=5, <sip:acct@h:5060>;expires=120'], ['Expires', '300']]), 'acct'), 120);
  t.is(grantedExpires(res([['Contact', '<sip:other@x>;expires=5'], ['Expires', '300']]), 'acct'), 300);
  t.is(grantedExpires(res([]), 'acct'), undefined);
});
