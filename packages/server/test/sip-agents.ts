/**
 * The cast of the call tests: a test server with agents 1001-1003 and registered test UAs for them
 * (sip-call-ua.ts), over UDP or WebSocket.
 */
import type { ExecutionContext } from 'ava';
import { getHeader, type SipRequest } from '../src/sip/message.js';
import type { TestServer, TestServerOptions } from '../src/testing.js';
import { serve, waitFor } from './helpers.js';
import { type CallUa, type OutCall, SDP_OFFER, udpUa, wsUa } from './sip-call-ua.js';

export const PW = { '1001': 'alpha secret', '1002': 'bravo secret', '1003': 'charlie secret' } as const;
export type Ext = keyof typeof PW;

export interface AgentsServer {
  s: TestServer;
  /** The server's SIP UDP and WebSocket ports. */
  udp: number;
  ws: number;
  /** A test UA for an agent, REGISTERed (200 asserted) unless `register` is false. */
  ua(ext: Ext, opts?: { transport?: 'udp' | 'ws'; register?: boolean }): Promise<CallUa>;
}

/** A server with agents 1001, 1002 and 1003 (passwords in PW). */
export async function agentsServer(t: ExecutionContext, opts: TestServerOptions = {}): Promise<AgentsServer> {
  const s = await serve(t, opts);
  for (const ext of Object.keys(PW) as Ext[]) await s.admin.agents.create({ extension: ext, name: `Agent ${ext}`, password: PW[ext] });
  const l = (await s.admin.status()).listeners;
  const udp = l['sipUdp']!.port;
  const ws = l['sipWs']!.port;
  const ua = async (ext: Ext, o: { transport?: 'udp' | 'ws'; register?: boolean } = {}) => {
    const u = o.transport === 'ws' ? await wsUa(t, ws, ext, PW[ext]) : await udpUa(t, udp, ext, PW[ext]);
    if (o.register !== false) t.is((await u.register()).status, 200);
    return u;
  };
  return { s, udp, ws, ua };
}

/** The To tag a test callee answers `inv` with (derived from its Call-ID, so every reply agrees). */
export const toTag = (inv: SipRequest) => `${getHeader(inv, 'Call-ID')!.slice(0, 8)}tag`;

/** A callee's side of a CANCEL (RFC 3261 §9.2): 200 to the CANCEL, 487 to the INVITE, then its ACK. */
export async function acceptCancel(ua: CallUa, cancel: SipRequest, invite: SipRequest): Promise<void> {
  await ua.reply(cancel, 200, 'OK', { toTag: toTag(invite) });
  await ua.reply(invite, 487, 'Request Terminated', { toTag: toTag(invite) });
  await ua.request('ACK');
}

/** An agent's device answers an originated call's offerless INVITE (calls/originate.ts) with 180, then 200 carrying its offer. */
export async function agentAnswers(agent: CallUa): Promise<SipRequest> {
  const invite = await agent.request('INVITE');
  await agent.reply(invite, 180, 'Ringing', { toTag: toTag(invite) });
  await agent.reply(invite, 200, 'OK', { toTag: toTag(invite), sdp: SDP_OFFER });
  return invite;
}

/** `caller` calls `ext`; the callee's device answers 180 and the caller has received it. */
export async function ringingCall(caller: CallUa, callee: CallUa, ext: Ext): Promise<{ call: OutCall; invite: SipRequest }> {
  const call = await caller.invite(ext);
  const invite = await callee.request('INVITE');
  await callee.reply(invite, 180, 'Ringing', { toTag: toTag(invite) });
  await caller.response(call.callId, 'INVITE', 180);
  return { call, invite };
}

/** The first call record that has ended (waited for). */
export function endedRecord(s: TestServer) {
  return waitFor('ended record', async () => (await s.admin.calls.list()).find((c) => c.state === 'ended'));
}
