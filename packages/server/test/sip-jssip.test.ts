/**
 * JsSIP (3.13, the softphone library of DESIGN.md) as a real peer: two JsSIP user agents in Node register
 * over SIP WebSocket (ws://127.0.0.1, subprotocol sip) with digest, A calls B's extension through the
 * B2BUA, B auto-answers, both see 'confirmed', A hangs up, both see 'ended'; the call record shows it.
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

const PW = { '1001': 'alpha secret', '1002': 'bravo secret' } as const;
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
  for (const ext of Object.keys(PW) as Ext[]) await s.admin.agents.create({ extension: ext, name: `Agent ${ext}`, password: PW[ext] });
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
