/**
 * The trunks' runtime against a carrier played by a UDP test UA on loopback (routing/trunk-runtime.ts):
 * OPTIONS keepalive (sip.trunkKeepaliveSeconds) with status up/down in GET /v1/trunks and trunk.up /
 * trunk.down events, outbound calls skipping a down trunk; outbound registration (digest on 401, refresh
 * at 90% of a short granted expires, unREGISTER at shutdown) with trunk.registered events. Every wait
 * has a deadline; nothing sleeps.
 */
import { createHash } from 'node:crypto';
import test from 'ava';
import { getHeader, getHeaders, type SipRequest } from '../src/sip/message.js';
import { serve, waitFor } from './helpers.js';
import { type CallUa, udpUa } from './sip-call-ua.js';

const portOf = (ua: CallUa) => Number(/:(\d+)/.exec(ua.host)![1]);

/** A raw response to `req` with extra header lines. */
function answer(ua: CallUa, req: SipRequest, status: string, extra: string[] = []): Promise<void> {
  const to = getHeader(req, 'To')!;
  return ua.send([`SIP/2.0 ${status}`, ...getHeaders(req, 'Via').map((v) => `Via: ${v}`), `From: ${getHeader(req, 'From')}`,
    `To: ${/;tag=/.test(to) ? to : `${to};tag=carrier`}`, `Call-ID: ${getHeader(req, 'Call-ID')}`, `CSeq: ${getHeader(req, 'CSeq')}`,
    ...extra, 'Content-Length: 0', '', ''].join('\r\n'));
}

test('keepalive: OPTIONS to each trunk; 200 is up, 503 is down (status, lastSeen, events); outbound calls skip the down trunk', async (t) => {
  const s = await serve(t, { overrides: { 'sip.trunkKeepaliveSeconds': 1 } });
  await s.admin.agents.create({ extension: '1001', name: 'Agent 1001', password: 'alpha secret' });
  const udp = (await s.admin.status()).listeners['sipUdp']!.port;
  const first = await udpUa(t, udp, 'carrier', 'x');
  const backup = await udpUa(t, udp, 'backup', 'x');
  await s.admin.trunks.create({ name: 'a-first', host: '127.0.0.1', port: portOf(first), inboundCidrs: ['192.0.2.0/24'] });
  await s.admin.trunks.create({ name: 'b-backup', host: '127.0.0.1', port: portOf(backup), inboundCidrs: ['192.0.2.0/24'] });

  const probe = await first.request('OPTIONS');
  t.is(probe.uri, `sip:127.0.0.1:${portOf(first)}`);
  t.regex(getHeader(probe, 'User-Agent') ?? '', /^Hotline\//);
  await answer(first, probe, '200 OK');
  const up = await waitFor('a-first up', async () => {
    const tr = await s.admin.trunks.get('a-first');
    return tr.status?.state === 'up' ? tr : undefined;
  });
  t.truthy(up.status!.lastSeen);
  t.is(up.status!.registration, 'off');
  await answer(backup, await backup.request('OPTIONS'), '200 OK');

  // The next probe of a-first is refused with 503: down.
  await answer(first, await first.request('OPTIONS'), '503 Service Unavailable');
  await waitFor('a-first down', async () => (await s.admin.trunks.list()).find((tr) => tr.name === 'a-first' && tr.status?.state === 'down'));
  const events = await waitFor('trunk.up and trunk.down', async () => {
    const list = (await s.admin.events.list({ types: ['trunk.up', 'trunk.down'] })).events.filter((e) => e.subjectId === 'a-first');
    return list.length >= 2 ? list : undefined;
  });
  t.deepEqual(events.map((e) => e.type), ['trunk.up', 'trunk.down']);
  t.like(events[1]!.payload, { status: 503 });

  // An outbound call goes through b-backup while a-first is down.
  const a = await udpUa(t, udp, '1001', 'alpha secret');
  t.is((await a.register()).status, 200);
  const call = await a.invite('5551234');
  const invite = await backup.request('INVITE');
  t.is(invite.uri, `sip:5551234@127.0.0.1:${portOf(backup)}`);
  await backup.reply(invite, 486, 'Busy Here', { toTag: 'b1' });
  t.is((await a.response(call.callId, 'INVITE', 200)).status, 486);
});

test('outbound registration: REGISTER with digest on 401, refresh at 90% of a short expires, trunk.registered, unREGISTER at shutdown', async (t) => {
  const s = await serve(t, { overrides: { 'sip.trunkRegistration': 'true' } });
  const udp = (await s.admin.status()).listeners['sipUdp']!.port;
  const registrar = await udpUa(t, udp, 'registrar', 'x');
  const port = portOf(registrar);
  await s.admin.trunks.create({
    name: 'carrier-r', host: '127.0.0.1', port, inboundCidrs: ['192.0.2.0/24'], username: 'acct42', password: 'carrier pw 1', register: true,
  });
  const challenge = 'WWW-Authenticate: Digest realm="carrier", nonce="n0nce", qop="auth", algorithm=MD5';

  /** One REGISTER round: challenge, check the digest, grant `expires`. Returns the authorized REGISTER. */
  const round = async (expires: number): Promise<SipRequest> => {
    const plain = await registrar.request('REGISTER');
    await answer(registrar, plain, '401 Unauthorized', [challenge]);
    const authed = await registrar.request('REGISTER');
    t.is(getHeader(authed, 'Call-ID'), getHeader(plain, 'Call-ID'));
    const auth = getHeader(authed, 'Authorization')!;
    const p = (k: string) => new RegExp(`${k}="?([^",]+)"?`).exec(auth)![1]!;
    const md5 = (x: string) => createHash('md5').update(x).digest('hex');
    const expected = md5(`${md5('acct42:carrier:carrier pw 1')}:n0nce:${p('nc')}:${p('cnonce')}:auth:${md5(`REGISTER:${authed.uri}`)}`);
    t.is(p('response'), expected, 'the digest answers the challenge');
    const contact = getHeader(authed, 'Contact')!;
    await answer(registrar, authed, '200 OK', [`Contact: ${contact};expires=${expires}`]);
    return authed;
  };

  const first = await round(2);
  t.is(first.uri, `sip:127.0.0.1:${port}`);
  t.regex(getHeader(first, 'To')!, /^<sip:acct42@127\.0\.0\.1>$/);
  t.regex(getHeader(first, 'Contact')!, new RegExp(`^<sip:acct42@127\\.0\\.0\\.1:${udp};transport=udp>$`));
  t.is(getHeader(first, 'Expires'), '3600');
  const registered = await waitFor('registered', async () => {
    const tr = await s.admin.trunks.get('carrier-r');
    return tr.status?.registration === 'registered' ? tr : undefined;
  });
  t.truthy(registered.status!.registrationExpires);

  // Granted 2 s: the refresh comes at 1.8 s (no sleep: the next REGISTER is awaited with a deadline).
  const refresh = await round(600);
  const seq = (r: SipRequest) => Number(getHeader(r, 'CSeq')!.split(' ')[0]);
  t.true(seq(refresh) > seq(first), 'CSeq increases within the Call-ID');
  const events = await waitFor('trunk.registered', async () => {
    const list = (await s.admin.events.list({ types: ['trunk.registered'] })).events;
    return list.length > 0 ? list : undefined;
  });
  t.is(events.length, 1, 'a refresh is not a new registration event');
  t.like(events[0], { subjectType: 'trunk', subjectId: 'carrier-r' });

  // Shutdown: REGISTER with Expires: 0 (challenged once more), answered while the server waits.
  const stopping = s.stop();
  const unreg = await registrar.request('REGISTER');
  t.is(getHeader(unreg, 'Expires'), '0');
  await answer(registrar, unreg, '401 Unauthorized', [challenge]);
  const unregAuthed = await registrar.request('REGISTER');
  t.truthy(getHeader(unregAuthed, 'Authorization'));
  await answer(registrar, unregAuthed, '200 OK');
  await stopping;
});

test('outbound registration: a refusal is registration failed (status and trunk.registration_failed event)', async (t) => {
  const s = await serve(t, { overrides: { 'sip.trunkRegistration': 'true' } });
  const udp = (await s.admin.status()).listeners['sipUdp']!.port;
  const registrar = await udpUa(t, udp, 'registrar', 'x');
  await s.admin.trunks.create({
    name: 'carrier-f', host: '127.0.0.1', port: portOf(registrar), inboundCidrs: ['192.0.2.0/24'], username: 'acct', password: 'carrier pw 2', register: true,
  });
  await answer(registrar, await registrar.request('REGISTER'), '403 Forbidden');
  await waitFor('failed', async () => (await s.admin.trunks.get('carrier-f')).status?.registration === 'failed');
  const failed = await waitFor('event', async () => (await s.admin.events.list({ types: ['trunk.registration_failed'] })).events[0]);
  t.like(failed, { subjectId: 'carrier-f', payload: { status: 403 } });
});
