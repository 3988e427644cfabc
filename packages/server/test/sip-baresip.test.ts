/**
 * baresip (a real SIP peer, Debian baresip-core) answering a call through the B2BUA: it registers as agent
 * 1002 over UDP with digest credentials and auto-answer (account `;answermode=auto`), headless (audio
 * source and player aubridge: no sound device; ausine only runs at 48 kHz), PCMU 8 kHz only. A test UA (1001) calls 1002, gets
 * 200 OK with baresip's SDP, ACKs and hangs up with BYE; the record shows answered and hung up by caller.
 * Skipped with a message when baresip is not installed.
 */
import test from 'ava';
import { CallState } from '../src/calls/call.js';
import { getHeader } from '../src/sip/message.js';
import { findBaresip, startBaresip } from './baresip.js';
import { serve, waitFor } from './helpers.js';
import { udpUa } from './sip-call-ua.js';

const baresip = findBaresip();
const realPeer = baresip ? test : test.skip;
if (!baresip) console.warn('baresip call test skipped: baresip is not installed (Debian package baresip-core)');

realPeer('baresip registered as 1002 auto-answers a call from 1001: 200 with its PCMU SDP, ACK, BYE; answered, hung up by caller', async (t) => {
  const s = await serve(t);
  await s.admin.agents.create({ extension: '1001', name: 'A', password: 'alpha secret' });
  await s.admin.agents.create({ extension: '1002', name: 'Baresip', password: 'baresip-secret' });
  const udp = (await s.admin.status()).listeners['sipUdp']!.port;
  const peer = startBaresip(t, baresip!, {
    accounts: `<sip:1002@127.0.0.1:${udp};transport=udp>;auth_pass=baresip-secret;regint=60;answermode=auto;audio_codecs=PCMU/8000\n`,
    config: [
      'poll_method epoll', 'sip_listen 127.0.0.1:0', 'module_path /usr/lib/baresip/modules',
      // aubridge: a player and a source joined in memory (no sound device); 8 kHz to match PCMU.
      'module g711.so', 'module aubridge.so', 'module_app account.so',
      'audio_source aubridge,hotline', 'audio_player aubridge,hotline', 'audio_alert aubridge,hotline', 'audio_srate 8000', '',
    ].join('\n'),
  });
  const fail = (err: Error) => {
    throw new Error(`${err.message}\nbaresip said:\n${peer.output()}`);
  };
  await waitFor('baresip registered', async () => (await s.admin.registrations.list()).find((r) => r.extension === '1002'), 20_000).catch(fail);

  const a = await udpUa(t, udp, '1001', 'alpha secret');
  t.is((await a.register()).status, 200);
  const call = await a.invite('1002');
  const ok = await a.response(call.callId, 'INVITE', 200, 20_000).catch(fail);
  t.is(ok.status, 200, `baresip answered ${ok.status} ${ok.reason}\n${peer.output()}`);
  t.regex(getHeader(ok, 'Content-Type') ?? '', /application\/sdp/);
  const sdp = ok.body.toString();
  t.regex(sdp, /^m=audio \d+ RTP\/AVP 0( |\r?$)/m, 'PCMU answered');
  t.regex(sdp, /^a=rtpmap:0 PCMU\/8000/m);
  await a.ack(call, ok);
  const answered = await waitFor('answered record', async () => (await s.admin.calls.list()).find((c) => c.state === CallState.Answered));
  t.like(answered, { from: '1001', to: '1002' });

  const bye = await a.bye(call).catch(fail);
  t.is(bye.status, 200, 'baresip accepted the BYE relayed by the B2BUA');
  const ended = await waitFor('ended record', async () => (await s.admin.calls.list()).find((c) => c.state === CallState.Ended));
  t.like(ended, { hangupBy: 'caller', status: 200 });
  t.truthy(ended.answeredAt);
  t.like(ended.legs[0], { state: 'ended', status: 200 });
});
