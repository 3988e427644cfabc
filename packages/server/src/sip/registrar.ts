/**
 * The registrar (RFC 3261 §10.3): REGISTER requests bind an agent's extension (the AOR) to contacts.
 * Steps, as numbered in §10.3:
 *
 *   1. Request-URI / To domain: NOT checked against a domain list yet (any host is accepted; the AOR is
 *      the user part of To alone). A domain list comes with multi-tenant configuration.
 *   2. Require: checked by the core (sip/core.ts) before the request gets here (420).
 *   3. Digest authentication (digest-auth.ts) against the extension's stored HA1s: missing or wrong
 *      credentials -> 401 with one challenge per algorithm (stale=true as the authenticator says).
 *      Wrong credentials (not 'missing', not 'stale', which proves the password) count as a failure of
 *      the packet's source address (bans.ts); a success forgets its failures.
 *   4. Authorization: the authenticated username must equal the To user, else 403.
 *   5. The AOR must be a SIP URI with a user part (else 404); it is a known extension because its
 *      credentials were found in step 3.
 *   6. Contacts: `*` is allowed only alone and with Expires: 0 (remove all), else 400. Per contact the
 *      `expires` parameter, else the Expires header, else 3600 s; non-zero below min-expires -> 423 with
 *      Min-Expires; above max-expires -> capped.
 *   7. Call-ID/CSeq: an existing binding with the same Call-ID and a CSeq >= the request's is not
 *      updated and the request fails as a whole with 500 (§10.3 step 7 and the "all or nothing" rule
 *      of step 8: nothing is changed when any binding fails).
 *   8. 200 OK with every current contact and its remaining `expires`, and a Date header. A REGISTER
 *      without Contact is a query (§10.2.3): the same 200, nothing changed.
 *
 * Bindings expire by a timer on the injected Clock; bindings made over a stream connection (TCP, TLS,
 * WS, WSS) are removed when that connection closes (the contact is unreachable without it, RFC 7118
 * §5 / RFC 5626). Every new binding and every removal is reported to the sink; a refresh is reported
 * only when the binding moved to another source (address, port or connection). In-memory, per node:
 * see bindings.ts.
 */
import type { Logger } from 'pino';
import { type Binding, type BindingSource, BindingStore } from './bindings.js';
import type { FailureTracker } from './bans.js';
import { type Clock, systemClock, type TimerHandle } from './clock.js';
import type { DigestAuthenticator, StoredHa1 } from './digest-auth.js';
import { getCallId, getContacts, getCSeq, getTo } from './fields.js';
import { getHeader, getHeaderValues, type SipRequest } from './message.js';
import type { TransportName } from './transaction-types.js';
import { getParam } from './syntax.js';
import { formatUri, isSipUri, type NameAddr, unescape } from './uri.js';

export type { Binding, BindingSource } from './bindings.js';

export type UnregisterReason = 'expired' | 'removed' | 'connection-closed';

/** Told about every new (or moved) binding and every removal; must not throw (errors are logged). */
export interface BindingSink {
  registered(b: Binding): void;
  unregistered(b: Binding, reason: UnregisterReason): void;
}

export interface RegistrarOptions {
  realm: string;
  /** The HA1s of an extension, or null when it does not exist or has no SIP credentials. */
  credentials: { lookup(extension: string): Promise<StoredHa1 | null> };
  auth: DigestAuthenticator;
  bans?: Pick<FailureTracker, 'recordFailure' | 'recordSuccess'>;
  sink?: BindingSink;
  clock?: Clock;
  /** Wall clock (ms since the epoch) for registeredAt and the API's expiresAt (default Date.now). */
  wallClock?: () => number;
  /** Seconds (defaults: min 60, max 3600, default 3600). */
  minExpires?: number;
  maxExpires?: number;
  defaultExpires?: number;
  log?: Logger;
}

/** A registrar answer; the core turns it into a response (To tag, Server header). */
export interface RegisterAnswer {
  status: number;
  reason: string;
  headers: Array<[string, string]>;
}

/** One binding as the API shows it (times are wall-clock ms since the epoch). */
export interface RegistrationInfo {
  extension: string;
  contact: string;
  transport: string;
  /** address:port (IPv6 in brackets). */
  source: string;
  userAgent: string | null;
  expiresAt: number;
  registeredAt: number;
}

type Change = { kind: 'set'; binding: Binding; report: boolean } | { kind: 'remove'; binding: Binding };
type Plan = { ok: true; changes: Change[] } | { ok: false; answer: RegisterAnswer };

const MAX_DELTA = 2 ** 32 - 1;
const answer = (status: number, reason: string, headers: Array<[string, string]> = []): RegisterAnswer => ({ status, reason, headers });
const fail = (status: number, reason: string, headers: Array<[string, string]> = []): Plan => ({ ok: false, answer: answer(status, reason, headers) });

/** delta-seconds (§25.1: 1*DIGIT), capped at 2^32-1; undefined when absent, NaN when malformed. */
function parseDelta(value: string | null | undefined): number | undefined {
  if (value === undefined || value === null) return value === null ? Number.NaN : undefined;
  const v = value.trim();
  return /^\d+$/.test(v) ? Math.min(Number(v), MAX_DELTA) : Number.NaN;
}

/**
 * User agents that fail on any challenge whose algorithm they do not know instead of using the one they
 * support (RFC 8760 §2.4): baresip 1.x / libre 1.x (Debian 12's baresip-core) walks every
 * WWW-Authenticate and aborts with ENOSYS at SHA-256. They are offered the MD5 challenge alone (matched
 * by User-Agent, which a client controls: it can only lower its own algorithm to MD5, which it could
 * choose anyway). Verification is unchanged.
 */
export const MD5_FIRST_USER_AGENTS: readonly RegExp[] = [/^baresip v?[01]\./i];

function challengeOrder(challenges: string[], userAgent: string | undefined): string[] {
  if (!userAgent || !MD5_FIRST_USER_AGENTS.some((re) => re.test(userAgent))) return challenges;
  const md5 = challenges.filter((c) => /algorithm="?MD5"?(?:,|$|\s)/i.test(c));
  return md5.length > 0 ? md5 : challenges;
}

export function formatSource(s: { address: string; port: number }): string {
  return `${s.address.includes(':') ? `[${s.address}]` : s.address}:${s.port}`;
}

export class Registrar {
  private readonly store = new BindingStore();
  private readonly timers = new Map<Binding, TimerHandle>();
  private readonly clock: Clock;
  private readonly wall: () => number;
  private readonly min: number;
  private readonly max: number;
  private readonly dflt: number;
  private closed = false;

  constructor(private readonly opts: RegistrarOptions) {
    this.clock = opts.clock ?? systemClock;
    this.wall = opts.wallClock ?? Date.now;
    this.min = opts.minExpires ?? 60;
    this.max = Math.max(this.min, opts.maxExpires ?? 3600);
    this.dflt = Math.min(this.max, Math.max(this.min, opts.defaultExpires ?? 3600));
  }

  /** Handle one REGISTER (steps in the file comment). Never throws for bad input. */
  async register(request: SipRequest, source: BindingSource): Promise<RegisterAnswer> {
    const auth = await this.opts.auth.verify(request, { realm: this.opts.realm, lookup: (u) => this.opts.credentials.lookup(u) });
    if (!auth.ok) {
      if (auth.reason !== 'missing' && auth.reason !== 'stale') this.opts.bans?.recordFailure(source.address);
      this.opts.log?.debug({ from: formatSource(source), reason: auth.reason }, 'sip register challenged');
      return answer(401, 'Unauthorized', challengeOrder(auth.challenge, getHeader(request, 'User-Agent')).map((c) => ['WWW-Authenticate', c]));
    }
    this.opts.bans?.recordSuccess(source.address);
    const to = getTo(request);
    const aor = to && isSipUri(to.uri) && to.uri.user !== undefined ? unescape(to.uri.user) : undefined;
    if (aor === undefined) return answer(404, 'Not Found');
    if (auth.username !== aor) return answer(403, 'Forbidden');
    const plan = this.plan(request, aor, source);
    if (!plan.ok) return plan.answer;
    if (this.closed) return answer(503, 'Service Unavailable');
    for (const change of plan.changes) this.apply(change);
    return this.current(aor);
  }

  /** Every binding, for the API. */
  list(): RegistrationInfo[] {
    const now = this.clock.now();
    const wall = this.wall();
    return this.store.all().map((b) => ({
      extension: b.aor,
      contact: b.contact,
      transport: b.source.transport,
      source: formatSource(b.source),
      userAgent: b.userAgent,
      expiresAt: Math.round(wall + (b.expiresAt - now)),
      registeredAt: b.registeredAt,
    }));
  }

  /** The bindings of one extension (for the B2BUA later, and tests). */
  bindings(aor: string): Binding[] {
    return this.store.get(aor);
  }

  /** Every binding (the egress allow-list reads their sources). */
  all(): Binding[] {
    return this.store.all();
  }

  /** Whether a device registered from this source (the egress allow-list; agents' INVITEs vs trunks'). */
  hasSource(transport: TransportName, address: string, port: number): boolean {
    return this.store.hasSource(transport, address, port);
  }

  /** A stream connection closed: its bindings go away (their contacts are unreachable now). */
  connectionClosed(connectionId: string): void {
    if (this.closed) return;
    for (const b of this.store.byConnection(connectionId)) this.removeBinding(b, 'connection-closed');
  }

  /** Stop the timers and the sink (shutdown: bindings are not reported as removed). */
  close(): void {
    this.closed = true;
    for (const handle of this.timers.values()) this.clock.clearTimer(handle);
    this.timers.clear();
  }

  /** Steps 6 and 7: every change the request asks for, or the answer that refuses it as a whole. */
  private plan(request: SipRequest, aor: string, source: BindingSource): Plan {
    const contacts = getContacts(request);
    if (contacts === undefined) return fail(400, 'Bad Request: malformed Contact');
    const callId = getCallId(request) ?? '';
    const cseq = getCSeq(request)?.seq ?? 0;
    const outOfOrder = (b: Binding) => b.callId === callId && cseq <= b.cseq;
    const headerExpires = parseDelta(getHeader(request, 'Expires'));
    if (headerExpires !== undefined && Number.isNaN(headerExpires)) return fail(400, 'Bad Request: malformed Expires');
    if (contacts === '*') {
      if (getHeaderValues(request, 'Contact').length !== 1 || headerExpires !== 0) return fail(400, 'Bad Request: "*" needs Expires: 0 and no other Contact');
      const existing = this.store.get(aor);
      if (existing.some(outOfOrder)) return fail(500, 'Server Internal Error: out-of-order REGISTER');
      return { ok: true, changes: existing.map((binding) => ({ kind: 'remove', binding })) };
    }
    const changes: Change[] = [];
    for (const contact of contacts) {
      const expires = parseDelta(getParam(contact.params, 'expires')) ?? headerExpires ?? this.dflt;
      if (Number.isNaN(expires)) return fail(400, 'Bad Request: malformed expires parameter');
      if (expires !== 0 && expires < this.min) return fail(423, 'Interval Too Brief', [['Min-Expires', String(this.min)]]);
      const key = contactKey(contact);
      const existing = this.store.find(aor, key);
      if (existing && outOfOrder(existing)) return fail(500, 'Server Internal Error: out-of-order REGISTER');
      if (expires === 0) {
        if (existing) changes.push({ kind: 'remove', binding: existing });
        continue;
      }
      const binding: Binding = {
        aor, contact: key, expires: Math.min(expires, this.max), expiresAt: this.clock.now() + Math.min(expires, this.max) * 1000,
        registeredAt: existing?.registeredAt ?? this.wall(), callId, cseq, source: { ...source },
        userAgent: getHeader(request, 'User-Agent') ?? null, q: parseQ(getParam(contact.params, 'q')),
      };
      changes.push({ kind: 'set', binding, report: !existing || !sameSource(existing.source, source) });
    }
    return { ok: true, changes };
  }

  private apply(change: Change): void {
    const b = change.binding;
    if (change.kind === 'remove') {
      this.removeBinding(b, 'removed');
      return;
    }
    const old = this.store.find(b.aor, b.contact);
    if (old) this.clearTimer(old);
    this.store.set(b);
    this.timers.set(b, this.clock.setTimer(b.expiresAt - this.clock.now(), () => this.expire(b)));
    if (change.report) this.report(() => this.opts.sink?.registered(b));
  }

  private expire(b: Binding): void {
    this.timers.delete(b);
    if (this.store.find(b.aor, b.contact) === b) this.removeBinding(b, 'expired');
  }

  private removeBinding(b: Binding, reason: UnregisterReason): void {
    this.clearTimer(b);
    if (this.store.find(b.aor, b.contact) !== b) return;
    this.store.remove(b.aor, b.contact);
    this.report(() => this.opts.sink?.unregistered(b, reason));
  }

  private clearTimer(b: Binding): void {
    const handle = this.timers.get(b);
    if (handle !== undefined) this.clock.clearTimer(handle);
    this.timers.delete(b);
  }

  private report(fn: () => void): void {
    if (this.closed) return;
    try {
      fn();
    } catch (err) {
      this.opts.log?.warn({ err: err instanceof Error ? err.message : String(err) }, 'registrar sink failed');
    }
  }

  /**
   * Step 8: 200 with every current contact and its remaining lifetime, and the Date (§20.17). The
   * lifetime is rounded up: a binding that exists never reads `expires=0` (which means removed), and a
   * binding granted just now reads what was granted even when building the answer took a while (< 1 s).
   */
  private current(aor: string): RegisterAnswer {
    const now = this.clock.now();
    const headers: Array<[string, string]> = this.store.get(aor).map((b) => [
      'Contact', `<${b.contact}>;expires=${Math.max(1, Math.ceil((b.expiresAt - now) / 1000))}${b.q === null ? '' : `;q=${b.q}`}`,
    ]);
    headers.push(['Date', new Date(this.wall()).toUTCString()]);
    return answer(200, 'OK', headers);
  }
}

/**
 * The contact's identity: its URI, formatted canonically. A simplification of §19.1.4 URI comparison
 * (parameter order and escaping differences make two bindings), which clients do not exercise: they
 * repeat their Contact verbatim when refreshing.
 */
function contactKey(contact: NameAddr): string {
  return formatUri(contact.uri);
}

function parseQ(value: string | null | undefined): number | null {
  if (value === undefined || value === null || !/^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(value.trim())) return null;
  return Number(value);
}

function sameSource(a: BindingSource, b: BindingSource): boolean {
  return a.transport === b.transport && a.address === b.address && a.port === b.port && a.connectionId === b.connectionId;
}
