/**
 * The minimal SIP core: the transaction user (RFC 3261 §17 "TU") the server runs until the signaling
 * work arrives. It answers what it can answer honestly and nothing more:
 *
 *   OPTIONS out of dialog       200 OK with Allow, Accept, Supported (§11.2): the trunk keepalive answer
 *   REGISTER                    the registrar (registrar.ts, §10.3), answered when it is done (it looks
 *                               up credentials asynchronously); 403 when no registrar is configured
 *   INVITE                      the call handler (calls/b2bua.ts, through the CallHandler port); 480
 *                               Temporarily Unavailable without one
 *   CANCEL                      200 when it matches a live INVITE server transaction (§9.2), else 481;
 *                               then the call handler answers the INVITE (487)
 *   any request with a To tag   the call handler when it is in one of its dialogs, else 481 (§12.2.2)
 *   BYE, INFO, NOTIFY, REFER    481 Call/Transaction Does Not Exist outside a dialog (§12.2.2)
 *   other methods               405 Method Not Allowed with Allow (§8.2.1)
 *   Require with other options  420 Bad Extension with Unsupported (§8.2.2.3; we support `replaces`)
 *   Max-Forwards: 0             483 Too Many Hops, except OPTIONS, which we answer as the target (§11)
 *   ACK for a 2xx               the call handler (it stops retransmitting its 2xx, §13.3.1.4): outside any
 *                               transaction (new branch), or passed up by an INVITE server transaction in
 *                               Accepted (RFC 6026 §7.1); otherwise ignored
 *   stray responses             ignored.
 *
 * Every response copies Via/From/Call-ID/CSeq, adds a To tag and `Server: Hotline/<version>`. Scanner
 * user agents and banned source addresses are dropped silently by `dropRequest`, the transport's hook.
 */
import type { Logger } from 'pino';
import { isScanner, type FailureTracker } from './bans.js';
import { parseMaxForwards } from './fields.js';
import { getHeader, getHeaderValues, type SipMessage, type SipRequest, type SipResponse } from './message.js';
import type { Registrar } from './registrar.js';
import { InviteServerTransaction, type ServerTransaction } from './server-transaction.js';
import type { TransportSource } from './transport-connections.js';
import { createResponse, newTag, toTagOf } from './transaction-messages.js';
import type { ServerEvent, TransportAddress } from './transaction-types.js';
import type { TransactionUser } from './transaction-layer.js';

/** The methods the server serves (or will serve): the Allow header of OPTIONS and 405 answers. */
export const ALLOWED_METHODS: readonly string[] = ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'INFO', 'REFER', 'NOTIFY', 'REGISTER'];

/** Option tags we support (Supported header, §20.37): `replaces` (RFC 3891, calls/replaces.ts). */
export const SUPPORTED_OPTIONS: readonly string[] = ['replaces'];

export interface SipCoreOptions {
  /** Server version, for the Server header. */
  version: string;
  log: Logger;
  /** Banned source addresses (digest failures); their requests are dropped. */
  bans?: Pick<FailureTracker, 'isBanned'>;
  /** The live INVITE server transaction a CANCEL refers to (TransactionLayer.findInviteFor). */
  findInvite?: (cancel: SipRequest) => ServerTransaction | undefined;
  /** Handles REGISTER (§10.3); without it REGISTER gets 403. */
  registrar?: Pick<Registrar, 'register'>;
  /** Handles INVITE, in-dialog requests and CANCELs (the B2BUA); without it INVITE gets 480. */
  calls?: CallHandler;
}

/** The port the B2BUA (calls/, a higher layer) implements: INVITEs, in-dialog requests, CANCELs. */
export interface CallHandler {
  /** A new INVITE (no To tag), after the core's checks (Max-Forwards, Require). */
  invite(tx: InviteServerTransaction, source: TransportSource): void;
  /** A request with a To tag; false when it is in no dialog of the handler (the core answers 481). */
  inDialog(tx: ServerTransaction, source: TransportSource): boolean;
  /** The core answered a CANCEL for `invite` with 200 (§9.2); the handler answers the INVITE (487). */
  cancelled(invite: InviteServerTransaction): void;
  /** An ACK for a 2xx to an INVITE (§13.3.1.4): the handler stops retransmitting that 2xx. */
  acknowledged?(ack: SipRequest): void;
}

type Answer = { status: number; reason: string; headers?: Array<[string, string]>; toTag?: string };

export class SipCore implements TransactionUser {
  private readonly server: string;

  constructor(private readonly opts: SipCoreOptions) {
    this.server = `Hotline/${opts.version}`;
  }

  /** The transport's dropRequest hook: scanners and banned sources get no answer at all. */
  dropRequest(request: SipRequest, source: TransportAddress): boolean {
    if (isScanner(getHeader(request, 'User-Agent'))) return true;
    return Boolean(this.opts.bans?.isBanned(source.address));
  }

  request(tx: ServerTransaction, source: TransportAddress): void {
    const request = tx.request;
    const answer = this.answer(request);
    if (answer === 'register') {
      void this.register(tx, source);
      return;
    }
    if (answer === 'call') {
      if (tx instanceof InviteServerTransaction) this.opts.calls!.invite(tx, source);
      return;
    }
    if (answer === 'dialog') {
      if (!this.opts.calls!.inDialog(tx, source)) tx.respond(this.response(request, { status: 481, reason: 'Call/Transaction Does Not Exist' }));
      return;
    }
    this.opts.log.debug({ from: `${source.transport}:${source.address}:${source.port}`, method: request.method, status: answer.status }, 'sip request answered');
    tx.respond(this.response(request, answer));
    if (request.method === 'CANCEL' && answer.status === 200) {
      const invite = this.opts.findInvite?.(request);
      if (invite instanceof InviteServerTransaction) this.opts.calls?.cancelled(invite);
    }
  }

  /** REGISTER through the registrar; an unexpected failure is answered 500 (§10.3 step 8 wording). */
  private async register(tx: ServerTransaction, source: TransportAddress): Promise<void> {
    let answer: Answer;
    try {
      answer = await this.opts.registrar!.register(tx.request, source);
    } catch (err) {
      this.opts.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'sip registrar failed');
      answer = { status: 500, reason: 'Server Internal Error' };
    }
    this.opts.log.debug({ from: `${source.transport}:${source.address}:${source.port}`, method: 'REGISTER', status: answer.status }, 'sip request answered');
    tx.respond(this.response(tx.request, answer));
  }

  /** An ACK outside any transaction: for a 2xx to an INVITE (§13.2.2.4), the call handler's. */
  ack(request: SipRequest): void {
    this.opts.calls?.acknowledged?.(request);
  }

  /** RFC 6026 §7.1: an ACK matching an INVITE server transaction in Accepted belongs to the TU too. */
  serverEvent(event: ServerEvent): void {
    if (event.type === 'ack') this.opts.calls?.acknowledged?.(event.request);
  }

  /** We send no requests, so every response is stray; ignored (§18.1.2 leaves it to the core). */
  strayResponse(): void {}

  dropped(message: SipMessage, source: TransportAddress, reason: string): void {
    this.opts.log.debug({ from: `${source.transport}:${source.address}:${source.port}`, reason, kind: message.kind }, 'sip message dropped');
  }

  /** The answer to a request, in the order of §8.2 (method, header inspection, extensions), then §12.2.2. */
  private answer(request: SipRequest): Answer | 'register' | 'call' | 'dialog' {
    const method = request.method;
    const maxForwards = getHeader(request, 'Max-Forwards');
    if (method !== 'OPTIONS' && maxForwards !== undefined) {
      const mf = parseMaxForwards(maxForwards);
      if (mf.ok && mf.value === 0) return { status: 483, reason: 'Too Many Hops' };
    }
    if (!ALLOWED_METHODS.includes(method)) {
      return { status: 405, reason: 'Method Not Allowed', headers: [['Allow', ALLOWED_METHODS.join(', ')]] };
    }
    if (method !== 'CANCEL') {
      const unsupported = getHeaderValues(request, 'Require').map((s) => s.trim()).filter((s) => s && !SUPPORTED_OPTIONS.includes(s));
      if (unsupported.length > 0) return { status: 420, reason: 'Bad Extension', headers: [['Unsupported', unsupported.join(', ')]] };
    }
    if (method === 'CANCEL') {
      // §9.2: a CANCEL matching a transaction gets 200, with the To tag of the INVITE's response (which
      // was final already: the INVITE is answered at once), else 481.
      const invite = this.opts.findInvite?.(request);
      if (!invite) return { status: 481, reason: 'Call/Transaction Does Not Exist' };
      return { status: 200, reason: 'OK', ...(invite.responseToTag ? { toTag: invite.responseToTag } : {}) };
    }
    if (toTagOf(request) !== undefined) return this.opts.calls ? 'dialog' : { status: 481, reason: 'Call/Transaction Does Not Exist' };
    switch (method) {
      case 'OPTIONS':
        return {
          status: 200,
          reason: 'OK',
          headers: [['Allow', ALLOWED_METHODS.join(', ')], ['Accept', 'application/sdp'], ['Supported', SUPPORTED_OPTIONS.join(', ')]],
        };
      case 'REGISTER':
        return this.opts.registrar ? 'register' : { status: 403, reason: 'Forbidden' };
      case 'INVITE':
        return this.opts.calls ? 'call' : { status: 480, reason: 'Temporarily Unavailable' };
      default:
        // BYE, INFO, NOTIFY, REFER outside a dialog (§12.2.2, §15.1.2).
        return { status: 481, reason: 'Call/Transaction Does Not Exist' };
    }
  }

  private response(request: SipRequest, answer: Answer): SipResponse {
    const response = createResponse(request, answer.status, answer.reason, { toTag: answer.toTag ?? newTag() });
    for (const [name, value] of answer.headers ?? []) response.headers.push({ name, value });
    response.headers.push({ name: 'Server', value: this.server });
    return response;
  }
}
