/**
 * SIP transaction layer, part 3: matching (RFC 3261 §17.1.3, §17.2.3 with the RFC 2543 fallback, §9.2),
 * branches (§8.1.1.7, §9.1), transport errors (§17.1.4, §17.2.4), strays, limits and the leak check.
 */
import test from 'ava';
import { InviteClientState, NonInviteClientState } from '../src/sip/client-transaction.js';
import { getCSeq, getVias } from '../src/sip/fields.js';
import { getHeader, type SipResponse } from '../src/sip/message.js';
import { InviteServerState, InviteServerTransaction, NonInviteServerState } from '../src/sip/server-transaction.js';
import { cancelTargetKey, lookupKey, MAGIC_COOKIE, responseKey, serverKeys } from '../src/sip/transaction-keys.js';
import { createResponse } from '../src/sip/transaction-messages.js';
import { TransactionError } from '../src/sip/transaction-types.js';
import { ALICE, CARRIER, Harness, outgoing, over, parse, reply, request, types } from './sip-transaction-helpers.js';

// ---- server matching (§17.2.3) ----

test('ACK for a non-2xx matches the INVITE server transaction; CANCEL with the same branch is its own transaction', (t) => {
  const h = new Harness();
  h.receive(request());
  const invite = h.requests[0]!;
  const cancel = request({ method: 'CANCEL' });
  t.is(h.receive(cancel), 'created');
  t.is(h.requests.length, 2);
  const cancelTx = h.requests[1]!;
  t.not(cancelTx, invite);
  t.is(cancelTx.method, 'CANCEL');
  t.true(h.layer.findInviteFor(cancelTx.request) === invite, '§9.2: the CANCEL finds the INVITE it cancels');
  cancelTx.respond(createResponse(cancelTx.request, 200, 'OK', { toTag: 'uas-1' }));
  invite.respond(createResponse(invite.request, 487, 'Request Terminated', { toTag: 'uas-1' }));
  t.is(h.receive(request({ method: 'ACK', toTag: 'uas-1' })), 'matched');
  t.is(invite.state, InviteServerState.Confirmed);
  t.is(cancelTx.state, NonInviteServerState.Completed);
  t.deepEqual(h.acks, []);
  t.is(h.layer.size.server, 2);
});

test('same branch from a different sent-by is a different transaction (§17.2.3 step 2)', (t) => {
  const h = new Harness();
  h.receive(request({ sentBy: 'pc33.atlanta.example:5060' }));
  t.is(h.receive(request({ sentBy: 'pc34.atlanta.example:5060' })), 'created');
  t.is(h.receive(request({ sentBy: 'pc33.atlanta.example:5070' })), 'created');
  t.is(h.receive(request({ sentBy: 'PC33.Atlanta.Example:5060' })), 'matched', 'host compared case-insensitively');
  t.is(h.receive(request({ branch: 'z9hG4bKother' })), 'created');
  t.is(h.requests.length, 4);
});

test('RFC 2543 peers (no magic cookie): matching on Request-URI, tags, Call-ID, CSeq and top Via', (t) => {
  const h = new Harness();
  const old = { branch: '' };
  h.receive(request(old));
  const tx = h.requests[0]!;
  t.is(h.receive(request(old)), 'matched', 'identical retransmission');
  t.is(h.receive(request({ ...old, fromTag: 'other' })), 'created', 'another From tag is another request');
  t.is(h.receive(request({ ...old, cseq: 314160 })), 'created');
  t.is(h.receive(request({ ...old, uri: 'sip:carol@hotline.example' })), 'created');
  t.is(h.receive(request({ branch: 'oldstyle1' })), 'created', 'a branch without the cookie also falls back');
  t.is(h.requests.length, 5);
  tx.respond(createResponse(tx.request, 486, 'Busy Here', { toTag: 'uas-7' }));
  // The ACK's To tag must be the tag of the response the transaction sent.
  t.is(h.receive(request({ ...old, method: 'ACK', toTag: 'someone-else' })), 'ack');
  t.is(tx.state, InviteServerState.Completed);
  t.is(h.receive(request({ ...old, method: 'ACK', toTag: 'uas-7' })), 'matched');
  t.is(tx.state, InviteServerState.Confirmed);
  t.deepEqual(h.layer.size, { client: 0, server: 5, keys: 10 }, 'each RFC 2543 INVITE is also under its ACK key');
  for (const other of h.requests.slice(1)) other.respond(createResponse(other.request, 603, 'Decline', { toTag: 'd' }));
  h.clock.runAll();
  t.true(h.empty, 'the ACK alias keys are removed with their transactions');
});

test('matching keys: ACK looks for INVITE, CANCEL targets INVITE, responses by branch + CSeq method', (t) => {
  const invite = request();
  const ack = request({ method: 'ACK', toTag: 'x' });
  const cancel = request({ method: 'CANCEL' });
  t.deepEqual(serverKeys(invite), [lookupKey(ack)!.key]);
  t.is(lookupKey(ack)!.ackToTag, undefined, 'with the cookie the To tag plays no part');
  t.not(serverKeys(cancel)![0], serverKeys(invite)![0]);
  t.is(cancelTargetKey(cancel), serverKeys(invite)![0]);
  t.is(serverKeys(ack), undefined, 'an ACK never creates a transaction');
  const old = request({ branch: '' });
  const keys = serverKeys(old)!;
  t.is(keys.length, 2, 'an RFC 2543 INVITE is also found by its ACK');
  t.is(lookupKey(request({ branch: '', method: 'ACK', toTag: 't' }))!.key, keys[1]);
  t.is(lookupKey(request({ branch: '', method: 'ACK', toTag: 't' }))!.ackToTag, 't');
  const res = createResponse(invite, 180, 'Ringing');
  t.is(responseKey(res), `c z9hG4bK776asdhds INVITE`);
  t.is(responseKey(createResponse(cancel, 200, 'OK')), `c z9hG4bK776asdhds CANCEL`);
});

// ---- client side: branches and matching (§8.1.1.7, §9.1, §17.1.3) ----

test('client transactions get a fresh z9hG4bK branch; a CANCEL keeps the INVITE branch and matches separately', (t) => {
  const h = new Harness();
  const a = h.send(outgoing('INVITE'));
  const b = h.send(outgoing('INVITE'));
  const branchA = getVias(a.tx.request)![0]!.branch!;
  t.true(branchA.startsWith(MAGIC_COOKIE) && branchA.length >= MAGIC_COOKIE.length + 16);
  t.not(getVias(b.tx.request)![0]!.branch, branchA);
  t.is(getVias(h.sent[0]!.message)![0]!.branch, branchA, 'the branch is on the wire');
  t.true(getVias(h.sent[0]!.message)![0]!.hasRport, 'other Via parameters are kept');

  const cancelReq = outgoing('CANCEL');
  cancelReq.headers.find((x) => x.name === 'Via')!.value = getHeader(a.tx.request, 'Via')!;
  const c = h.send(cancelReq);
  t.is(getVias(c.tx.request)![0]!.branch, branchA);
  h.receive(reply(c.tx.request, 200, 'OK', 'x'), CARRIER);
  t.is(c.tx.state, NonInviteClientState.Completed);
  t.is(a.tx.state, InviteClientState.Calling, 'the 200 for the CANCEL is not a response to the INVITE');
  h.receive(reply(a.tx.request, 487, 'Request Terminated', 'x'), CARRIER);
  t.is(a.tx.state, InviteClientState.Completed);
  t.deepEqual(types(a.events), ['response']);
  t.deepEqual(types(c.events), ['response']);
  t.throws(() => h.send(outgoing('ACK')), { instanceOf: TransactionError, message: /ACK/ });
  const noVia = parse(['OPTIONS sip:x@y SIP/2.0', 'To: <sip:x@y>', 'From: <sip:a@b>;tag=1', 'Call-ID: 1', 'CSeq: 1 OPTIONS', 'Via: SIP/2.0/UDP h'], '');
  noVia.headers = noVia.headers.filter((x) => x.name !== 'Via');
  t.throws(() => h.send(noVia as never), { instanceOf: TransactionError, message: /Via/ });
});

test('responses and ACKs outside any transaction go to the TU; unusable messages are dropped', (t) => {
  const h = new Harness();
  const stray = reply(outgoing('INVITE'), 200, 'OK', 'x');
  stray.headers = stray.headers.map((x) => (x.name === 'Via' ? { ...x, value: `${x.value};branch=z9hG4bKgone` } : x));
  t.is(h.receive(stray, CARRIER), 'stray');
  t.is(h.strays.length, 1);
  t.is(h.receive(request({ method: 'ACK', toTag: 'x', branch: 'z9hG4bKnew' })), 'ack');
  t.is(h.acks.length, 1);
  t.is(h.receive(reply(outgoing('INVITE'), 180, 'Ringing'), CARRIER), 'dropped', 'no branch in the top Via');
  t.deepEqual(h.dropped.length, 1);
  t.true(h.empty);
});

// ---- transport errors (§17.1.4, §17.2.4) ----

test('transport error on the first INVITE: the TU gets a 503 and the transaction is gone', (t) => {
  const h = new Harness({ fail: (m) => (m.kind === 'request' ? 'sync' : false) });
  const { tx, events } = h.send(outgoing('INVITE'), over(CARRIER, 'tcp'));
  t.is(tx.state, InviteClientState.Terminated);
  t.deepEqual(types(events), ['transport-error', 'terminated']);
  const ev = events[0]!.event;
  t.is(ev.type === 'transport-error' ? ev.response.status : 0, 503);
  t.is(ev.type === 'transport-error' ? (ev.error as Error).message : '', 'ECONNRESET');
  t.true(h.empty);
});

test('transport error reported asynchronously (rejected send) terminates a non-INVITE client transaction', async (t) => {
  const h = new Harness({ fail: () => 'async' });
  const { tx, events } = h.send(outgoing('OPTIONS'));
  t.is(tx.state, NonInviteClientState.Trying);
  await Promise.resolve();
  await Promise.resolve();
  t.is(tx.state, NonInviteClientState.Terminated);
  t.deepEqual(types(events), ['transport-error', 'terminated']);
  const ev = events[0]!.event as { response: SipResponse };
  t.is(`${ev.response.status} ${getCSeq(ev.response)?.method}`, '503 OPTIONS');
  t.true(h.empty);
});

test('transport error on a retransmitted ACK in Completed terminates the INVITE client transaction', (t) => {
  let failAcks = false;
  const h = new Harness({ fail: (m) => (failAcks && m.kind === 'request' && m.method === 'ACK' ? 'sync' : false) });
  const { tx, events } = h.send(outgoing('INVITE'));
  const busy = reply(tx.request, 486, 'Busy Here', 'x');
  h.receive(busy, CARRIER);
  failAcks = true;
  h.receive(busy, CARRIER);
  t.is(tx.state, InviteClientState.Terminated);
  t.deepEqual(types(events), ['response', 'transport-error', 'terminated']);
  t.true(h.empty);
});

test('transport error sending a server response: the TU is told, the transaction terminates', (t) => {
  const h = new Harness({ fail: (m) => (m.kind === 'response' ? 'sync' : false) });
  h.receive(request());
  const tx = h.requests[0]!;
  t.true(tx.respond(createResponse(tx.request, 180, 'Ringing', { toTag: 'a' })));
  t.is(tx.state, InviteServerState.Terminated);
  t.deepEqual(h.serverEvents.map((e) => e.event.type), ['transport-error', 'terminated']);
  t.true(h.empty);
});

// ---- limits and leaks ----

test('transaction limit: new requests get a stateless 503 with Retry-After, new client transactions throw', (t) => {
  const h = new Harness({ maxTransactions: 2 });
  h.receive(request({ branch: 'z9hG4bK1' }));
  h.send(outgoing('OPTIONS'));
  t.is(h.receive(request({ branch: 'z9hG4bK2' })), 'rejected');
  const busy = h.sent.at(-1)!;
  t.is((busy.message as SipResponse).status, 503);
  t.is(getHeader(busy.message, 'Retry-After'), '5');
  t.deepEqual(busy.to, ALICE);
  t.is(h.requests.length, 1);
  const err = t.throws(() => h.send(outgoing('OPTIONS')), { instanceOf: TransactionError });
  t.is(err?.code, 'transaction-limit');
  t.is(h.receive(request({ branch: 'z9hG4bK1' })), 'matched', 'retransmissions of live transactions still match');
  t.is(h.receive(request({ method: 'ACK', branch: 'z9hG4bK3' })), 'ack', 'ACKs are not transactions: never refused');
  h.clock.runAll();
  t.is(h.receive(request({ branch: 'z9hG4bK2' })), 'created', 'room again once they terminated');
});

test('transaction limit: transactions that only linger (final response sent) count against 5 x the limit, not the limit', (t) => {
  // The TU answers every request at once: its server transaction goes to Completed (Timer J, 32 s on UDP).
  const h = new Harness({ maxTransactions: 2, onRequest: (tx) => tx.respond(createResponse(tx.request, 200, 'OK', { toTag: 'l' })) });
  for (let i = 0; i < 10; i++) t.is(h.receive(request({ branch: `z9hG4bKlinger${i}`, callId: `l${i}` })), 'created', `lingering ${i} does not use the working limit`);
  t.is(h.receive(request({ branch: 'z9hG4bKlinger10', callId: 'l10' })), 'rejected', '5 x 2 transactions in all: full');
  t.is((h.sent.at(-1)!.message as SipResponse).status, 503);
  t.is(h.receive(request({ branch: 'z9hG4bKlinger3', callId: 'l3' })), 'matched', 'a retransmission still gets the stored response');
  h.clock.runAll();
  t.is(h.receive(request({ branch: 'z9hG4bKlinger10', callId: 'l10' })), 'created', 'room again once Timer J fired');
});

test('no leaks: a mix of every flow over UDP and TCP leaves no transaction, key or timer behind', (t) => {
  const h = new Harness({
    onRequest: (tx) => {
      const n = h.requests.length;
      if (n % 3 === 1) tx.respond(createResponse(tx.request, 486, 'Busy Here', { toTag: `t${n}` }));
      else if (n % 3 === 2) tx.respond(createResponse(tx.request, 200, 'OK', { toTag: `t${n}` }));
      // n % 3 === 0: the TU stays silent for now (an INVITE gets 100 Trying only)
    },
  });
  const clients = [];
  for (let i = 0; i < 40; i++) {
    const transport = i % 2 === 0 ? 'udp' : 'tcp';
    const method = ['INVITE', 'OPTIONS', 'MESSAGE'][i % 3]!;
    const source = { ...ALICE, transport, port: 5000 + i } as const;
    const branch = `z9hG4bKleak${i}`;
    h.receive(request({ method, branch, transport: transport.toUpperCase(), callId: `c${i}` }), source);
    if (i % 5 === 0) h.receive(request({ method: 'CANCEL', branch, transport: transport.toUpperCase(), callId: `c${i}` }), source);
    if (i % 7 === 0) h.receive(request({ method: 'ACK', branch, transport: transport.toUpperCase(), callId: `c${i}`, toTag: 'x' }), source);
    const { tx } = h.send(outgoing(method), { ...CARRIER, transport });
    clients.push(tx);
    const answer = [undefined, [180, 'Ringing'], [404, 'Not Found'], [200, 'OK']][i % 4] as [number, string] | undefined;
    if (answer) h.receive(reply(tx.request, answer[0], answer[1], 'r'), CARRIER);
    h.clock.advance(37);
  }
  t.true(h.layer.size.client > 0 && h.layer.size.server > 0);
  h.clock.advance(60_000);
  // What the timers cannot end: INVITE client transactions in Proceeding (no Timer B there, §17.1.1.2)
  // wait for a final response; server transactions wait for the TU's final response.
  const ringing = clients.filter((tx) => tx.state === InviteClientState.Proceeding);
  const silent = h.requests.filter((tx) => !tx.terminated);
  t.true(ringing.length > 0 && silent.length > 0);
  t.deepEqual(h.layer.size, { client: ringing.length, server: silent.length, keys: ringing.length + silent.length });
  for (const tx of ringing) h.receive(reply(tx.request, 487, 'Request Terminated', 'r'), CARRIER);
  for (const tx of silent) tx.respond(createResponse(tx.request, 500, 'Server Internal Error', { toTag: 'z' }));
  h.clock.runAll();
  t.true(h.empty);
  t.true(clients.every((tx) => tx.terminated));
  t.true(h.requests.every((tx) => tx.terminated));
  t.true(h.requests.some((tx) => tx instanceof InviteServerTransaction));
});

test('close() stops every transaction and timer without telling anyone', (t) => {
  const h = new Harness();
  h.receive(request());
  h.receive(request({ method: 'OPTIONS', branch: 'z9hG4bKopt' }));
  const { tx, events } = h.send(outgoing('INVITE'));
  t.true(h.clock.pending > 0);
  h.layer.close();
  t.true(h.empty);
  t.true(tx.terminated);
  h.clock.runAll();
  t.deepEqual(events, []);
  t.deepEqual(h.serverEvents, []);
  t.is(h.timesOf('INVITE').length, 1);
});
