/**
 * JsSIP (3.13, the softphone library of DESIGN.md) as a real peer: two JsSIP user agents in Node register
 * over SIP WebSocket (ws://127.0.0.1, subprotocol sip) with digest, A calls B's extension through the
 * B2BUA, B auto-answers, both see 'confirmed', A hangs up, both see 'ended'; the call record shows it.
 * An attended transfer between three JsSIP agents: A holds B, consults C, `refer(..., { replaces })`; the
 * B2BUA re-INVITEs C (offerless) and B, B and C stay connected, A's two sessions end.
 *
 * Stand-ins for browser APIs (JsSIP expects a browser): `WebSocket` is the `ws` package's (Node 20 has no
 * global WebSocket), `window` is globalThis, and RTCPeerConnection/RTCSessionDescription are a minimal fake
 * below: WebRTC cannot run in Node, so the fake only produces a plain SDP offer/answer
 * (`m=audio <port> RTP/AVP 0 8 101` with a=rtpmap lines), reports ICE gathering complete at once and never
 * sends media. Everything SIP (transport, registration, digest, INVITE/ACK/BYE, dialogs) is JsSIP's own.
 */
import test, { type ExecutionContext } from 'ava';
import JsSIP from 'jssip';
import type { RTCSession } from 'jssip/lib/RTCSession.js';
import type { RTCSessionEvent } from 'jssip/lib/UA.js';
import WebSocket from 'ws';
import { serve, waitFor } from './helpers.js';

let nextPort = 41000;

/** The minimal RTCSessionDescription JsSIP constructs. */
class FakeSessionDescription {
  readonly type: string;
  readonly sdp: string;
  constructor(init: { type: string; sdp: string }) {
    this.type = init.type;
    this.sdp = init.sdp;
  }
}

/** A peer connection that only negotiates SDP text (no ICE, no media); see the file comment. */
class FakePeerConnection extends EventTarget {
  signalingState = 'stable';
  iceGatheringState = 'complete';
  iceConnectionState = 'new';
  connectionState = 'new';
  localDescription: FakeSessionDescription | null = null;
  remoteDescription: FakeSessionDescription | null = null;
  private readonly port = (nextPort += 2);

  private sdp(origin: string): string {
    return ['v=0', `o=${origin} ${this.port} 1 IN IP4 127.0.0.1`, 's=-', 'c=IN IP4 127.0.0.1', 't=0 0',
      `m=audio ${this.port} RTP/AVP 0 8 101`, 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:101 telephone-event/8000',
      'a=fmtp:101 0-15', 'a=sendrecv', ''].join('\r\n');
  }

  createOffer(): Promise<FakeSessionDescription> {
    return Promise.resolve(new FakeSessionDescription({ type: 'offer', sdp: this.sdp('jssip-offer') }));
  }

  createAnswer(): Promise<FakeSessionDescription> {
    return Promise.resolve(new FakeSessionDescription({ type: 'answer', sdp: this.sdp('jssip-answer') }));
  }

  setLocalDescription(d: FakeSessionDescription): Promise<void> {
    this.localDescription = d;
    this.signalingState = d.type === 'offer' ? 'have-local-offer' : 'stable';
    return Promise.resolve();
  }

  setRemoteDescription(d: FakeSessionDescription): Promise<void> {
    if (!/^m=audio \d+ RTP\/AVP/m.test(d.sdp)) return Promise.reject(new Error('no audio in the remote SDP'));
    this.remoteDescription = d;
    this.signalingState = d.type === 'offer' ? 'have-remote-offer' : 'stable';
    return Promise.resolve();
  }

  addTrack(): void {}
  getSenders(): unknown[] {
    return [];
  }
  getReceivers(): unknown[] {
    return [];
  }
  close(): void {
    this.signalingState = 'closed';
  }
}

const g = globalThis as unknown as Record<string, unknown>;
g['window'] ??= globalThis;
g['WebSocket'] ??= WebSocket;
g['RTCPeerConnection'] ??= FakePeerConnection;
g['RTCSessionDescription'] ??= FakeSessionDescription;
JsSIP.debug.disable();

const PW = { '1001': 'alpha secret', '1002': 'bravo secret', '1003': 'charlie secret' } as const;
type Ext = keyof typeof PW;

/** Resolve at `event` of `emitter`, reject at `failure` or after `ms`. */
function once<T>(emitter: { once(e: string, fn: (arg: T) => void): unknown }, event: string, failure?: string, ms = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    emitter.once(event, (arg: T) => (clearTimeout(timer), resolve(arg)));
    if (failure) emitter.once(failure, (arg: T) => (clearTimeout(timer), reject(new Error(`${failure}: ${JSON.stringify((arg as { cause?: unknown }).cause ?? arg)}`))));
  });
}

async function jssipUa(t: ExecutionContext, wsPort: number, ext: Ext): Promise<JsSIP.UA> {
  const ua = new JsSIP.UA({
    sockets: [new JsSIP.WebSocketInterface(`ws://127.0.0.1:${wsPort}`)],
    uri: `sip:${ext}@127.0.0.1`, password: PW[ext], register: true, register_expires: 600,
  });
  const registered = once(ua, 'registered', 'registrationFailed');
  ua.start();
  t.teardown(async () => {
    const gone = once(ua, 'disconnected', undefined, 5_000).catch(() => undefined);
    ua.stop();
    await gone;
  });
  await registered;
  return ua;
}

const NO_MEDIA = { mediaConstraints: { audio: false, video: false } };

test('JsSIP over WebSocket: register with digest, call, auto-answer, confirmed, hang up, ended', async (t) => {
  const s = await serve(t);
  for (const ext of ['1001', '1002'] as const) await s.admin.agents.create({ extension: ext, name: `Agent ${ext}`, password: PW[ext] });
  const wsPort = (await s.admin.status()).listeners['sipWs']!.port;
  const a = await jssipUa(t, wsPort, '1001');
  const b = await jssipUa(t, wsPort, '1002');
  const regs = await waitFor('two registrations', async () => {
    const r = await s.admin.registrations.list();
    return r.length >= 2 ? r : undefined;
  });
  t.deepEqual(regs.map((r) => r.extension).sort(), ['1001', '1002']);

  const incoming = new Promise<RTCSession>((resolve) => {
    b.on('newRTCSession', (e: RTCSessionEvent) => {
      if (e.originator !== 'remote') return;
      e.session.answer(NO_MEDIA);
      resolve(e.session);
    });
  });
  const outgoing = a.call('sip:1002@127.0.0.1', NO_MEDIA);
  const aConfirmed = once(outgoing, 'confirmed', 'failed');
  const bSession = await incoming;
  const bConfirmed = once(bSession, 'confirmed', 'failed');
  await Promise.all([aConfirmed, bConfirmed]);
  t.true(outgoing.isEstablished());
  t.true(bSession.isEstablished());
  t.regex(bSession.remote_identity.uri.toString(), /^sip:1001@/);

  const answered = await waitFor('answered record', async () => (await s.admin.calls.list({ active: true })).find((c) => c.state === 'answered'));
  t.like(answered, { from: '1001', to: '1002' });
  t.is(answered.legs[0]?.transport, 'ws');

  const aEnded = once(outgoing, 'ended', 'failed');
  const bEnded = once(bSession, 'ended', 'failed');
  outgoing.terminate();
  await Promise.all([aEnded, bEnded]);

  const rec = await waitFor('ended record', async () => (await s.admin.calls.list()).find((c) => c.id === answered.id && c.state === 'ended'));
  t.like(rec, { from: '1001', to: '1002', hangupBy: 'caller', status: 200 });
  t.truthy(rec.answeredAt);
  t.truthy(rec.endedAt);
});

/** `from` calls `to` (auto-answered); both sessions once confirmed. */
async function jssipCall(from: JsSIP.UA, to: JsSIP.UA, ext: string): Promise<[RTCSession, RTCSession]> {
  const incoming = new Promise<RTCSession>((resolve) => {
    to.once('newRTCSession', (e: RTCSessionEvent) => {
      e.session.answer(NO_MEDIA);
      resolve(e.session);
    });
  });
  const out = from.call(`sip:${ext}@127.0.0.1`, NO_MEDIA);
  const confirmed = once(out, 'confirmed', 'failed');
  const callee = await incoming;
  await Promise.all([confirmed, once(callee, 'confirmed', 'failed')]);
  return [out, callee];
}

test('JsSIP attended transfer: A holds B, consults C, REFERs with Replaces; B and C stay connected', async (t) => {
  const s = await serve(t);
  for (const ext of Object.keys(PW) as Ext[]) await s.admin.agents.create({ extension: ext, name: `Agent ${ext}`, password: PW[ext] });
  const wsPort = (await s.admin.status()).listeners['sipWs']!.port;
  const [a, b, c] = [await jssipUa(t, wsPort, '1001'), await jssipUa(t, wsPort, '1002'), await jssipUa(t, wsPort, '1003')];
  const [ab, ba] = await jssipCall(a, b, '1002');
  const held = once(ba, 'hold', 'failed');
  t.true(ab.hold());
  await held;
  const [ac, ca] = await jssipCall(a, c, '1003');

  const aEnded = Promise.all([once(ab, 'ended'), once(ac, 'ended')]);
  // JsSIP's typings say void; refer() returns its ReferSubscriber (accepted = NOTIFY 200).
  const refer = ab.refer('sip:1003@127.0.0.1', { replaces: ac }) as unknown as { once(e: string, fn: (arg: unknown) => void): unknown };
  await once(refer, 'accepted', 'failed');
  await aEnded;
  t.true(ba.isEstablished());
  t.true(ca.isEstablished());
  const live = await waitFor('one call 1003-1002', async () => {
    const calls = await s.admin.calls.list({ active: true });
    return calls.length === 1 && calls[0]!.from === '1003' ? calls[0] : undefined;
  });
  t.like(live, { from: '1003', to: '1002', state: 'answered' });

  const ended = Promise.all([once(ba, 'ended', 'failed'), once(ca, 'ended', 'failed')]);
  ba.terminate();
  await ended;
  const rec = await waitFor('ended', async () => (await s.admin.calls.list()).find((r) => r.id === live.id && r.state === 'ended'));
  t.like(rec, { from: '1003', to: '1002', hangupBy: 'callee' });
  const events = (await s.admin.events.list({ types: ['call.held', 'call.transferred'] })).events.map((e) => e.type);
  t.deepEqual(events, ['call.held', 'call.transferred']);
});
