/**
 * The SIP transaction layer (RFC 3261 §17): owns the client and server transactions, matches incoming
 * messages to them (§17.1.3, §17.2.3), creates server transactions for new requests and hands those to
 * the transaction user (TU), and creates client transactions for the TU's requests. Pure: time comes
 * from an injected Clock and messages leave through an injected send port. Single node: the maps are
 * local to this process (a SIP load balancer keeps a transaction's messages on one node).
 *
 * What reaches the TU outside a transaction:
 *   - an ACK matching no transaction: the ACK for a 2xx, its own transaction at the UAC (§17, §13.2.2.4);
 *   - a response matching no client transaction: a "stray" (§18.1.2 hands it to the core; e.g. 2xx
 *     retransmissions after Timer M, RFC 6026 §7.2), for the dialog layer to judge.
 */
import { type Clock, systemClock } from './clock.js';
import type { SipMessage, SipRequest, SipResponse } from './message.js';
import { type ClientTransaction, type ClientTransactionUser, InviteClientTransaction, NonInviteClientTransaction } from './client-transaction.js';
import { InviteServerTransaction, NonInviteServerTransaction, type ServerTransaction } from './server-transaction.js';
import { resolveTimerConfig, type TimerConfig } from './timers.js';
import { cancelTargetKey, clientKey, lookupKey, responseKey, serverKeys } from './transaction-keys.js';
import { createResponse, newBranch, newTag, setTopBranch, topBranch } from './transaction-messages.js';
import {
  type SendPort, type ServerEvent, type TransactionContext, TransactionError, type TransitionTrace, type TransportAddress,
} from './transaction-types.js';

/** The layer's user: the UA core, the B2BUA, the registrar (RFC 3261 §17 "TU"). */
export interface TransactionUser {
  /** A new request created a server transaction (§17.2.1, §17.2.2); answer with tx.respond(). */
  request(tx: ServerTransaction, source: TransportAddress): void;
  /** An ACK outside any transaction: the ACK for a 2xx (§13.3.1.4), for the dialog layer. */
  ack(request: SipRequest, source: TransportAddress): void;
  /** A response matching no client transaction (§17.1.3, §18.1.2): e.g. a retransmitted 2xx. */
  strayResponse(response: SipResponse, source: TransportAddress): void;
  /** Server transaction events: Timer H (no ACK), transport error, ACK in Accepted, terminated. */
  serverEvent?(event: ServerEvent, tx: ServerTransaction): void;
  /** A message the layer cannot use (no top Via branch, CSeq or Call-ID) was dropped. */
  dropped?(message: SipMessage, source: TransportAddress, reason: string): void;
}

export interface TransactionLayerOptions {
  send: SendPort;
  user: TransactionUser;
  clock?: Clock;
  timers?: Partial<TimerConfig>;
  /**
   * Most transactions still working (no final response yet: Calling, Trying, Proceeding); beyond it new
   * requests get a stateless 503 and sendRequest throws (default 10000). Transactions that only linger to
   * absorb retransmissions (Completed, Confirmed, Accepted: up to 32 s each over UDP) count against
   * 5 x this limit instead, which bounds their memory: at a few hundred calls per second there are
   * tens of thousands of them (scripts/bench/sip-load.mjs), and counting them as work capped a server
   * at 100 calls/s.
   */
  maxTransactions?: number;
  /** Branch generator (default: magic cookie + 96 random bits). */
  newBranch?: () => string;
  trace?: (t: TransitionTrace) => void;
}

/**
 * States in which a transaction has its final response and only absorbs retransmissions until a timer
 * (§17.1.1.2 D, §17.1.2.2 K, §17.2.1 H/I, §17.2.2 J, RFC 6026 L/M), plus Terminated.
 */
const LINGERING: ReadonlySet<string> = new Set(['Completed', 'Confirmed', 'Accepted', 'Terminated']);
/** The cap on all transactions, lingering included, is this many times maxTransactions. */
const LINGER_FACTOR = 5;

/** What receive() did with a message. */
export type Disposition = 'matched' | 'created' | 'ack' | 'stray' | 'rejected' | 'dropped';

export class TransactionLayer {
  private readonly clients = new Map<string, ClientTransaction>();
  /** Server transactions by key; an RFC 2543 INVITE is also there under its ACK key (§17.2.3). */
  private readonly servers = new Map<string, ServerTransaction>();
  private readonly serverKeysOf = new Map<ServerTransaction, string[]>();
  private readonly ctx: TransactionContext;
  private readonly max: number;
  /** Ids of the transactions still working (see maxTransactions); the rest of the maps are lingering. */
  private readonly working = new Set<string>();
  private readonly branch: () => string;

  constructor(private readonly opts: TransactionLayerOptions) {
    resolveTimerConfig(opts.timers);
    this.max = opts.maxTransactions ?? 10_000;
    this.branch = opts.newBranch ?? newBranch;
    this.ctx = {
      clock: opts.clock ?? systemClock,
      send: opts.send,
      ...(opts.timers ? { timers: opts.timers } : {}),
      trace: (t) => {
        if (LINGERING.has(t.to)) this.working.delete(t.transaction);
        opts.trace?.(t);
      },
      removed: (tx) => this.remove(tx),
    };
  }

  /** Live transactions: client, server, and keys in the maps (equal to client + server alias keys). */
  get size(): { client: number; server: number; keys: number } {
    return { client: this.clients.size, server: this.serverKeysOf.size, keys: this.clients.size + this.servers.size };
  }

  /** Incoming message from a transport, already parsed, with the address it came from. */
  receive(message: SipMessage, source: TransportAddress): Disposition {
    return message.kind === 'response' ? this.receiveResponse(message, source) : this.receiveRequest(message, source);
  }

  /**
   * Start a client transaction for `request` (§17.1): a fresh branch goes on its top Via (§8.1.1.7),
   * except for a CANCEL, which keeps the branch of the request it cancels (§9.1). Throws TransactionError
   * 'transaction-limit' when full, 'invalid-request' for an ACK or a request without a top Via. Events
   * (even a transport error of the first send) may reach `user` before this returns.
   */
  sendRequest(request: SipRequest, destination: TransportAddress, user: ClientTransactionUser): ClientTransaction {
    if (request.method === 'ACK') throw new TransactionError('invalid-request', 'an ACK is not a transaction: use sendStateless (§17.1.1.3)');
    if (this.full()) throw new TransactionError('transaction-limit', `transaction limit reached (${this.max} working, ${this.max * LINGER_FACTOR} in all)`);
    const branch = request.method === 'CANCEL' ? topBranch(request) : this.branch();
    if (branch === undefined || !setTopBranch(request, branch)) {
      throw new TransactionError('invalid-request', `${request.method} has no top Via to carry a branch`);
    }
    const key = clientKey(branch, request.method);
    if (this.clients.has(key)) throw new TransactionError('duplicate-transaction', `a ${request.method} transaction with branch ${branch} exists`);
    const Tx = request.method === 'INVITE' ? InviteClientTransaction : NonInviteClientTransaction;
    const tx = new Tx(key, request, destination, this.ctx, user);
    this.clients.set(key, tx);
    this.working.add(key);
    tx.start();
    return tx;
  }

  /** Send outside any transaction: the ACK for a 2xx (§13.2.2.4), a 2xx retransmission by the UAS core (§13.3.1.4). */
  sendStateless(message: SipMessage, destination: TransportAddress): void | Promise<void> {
    return this.opts.send(message, destination);
  }

  /** The INVITE server transaction a CANCEL refers to (§9.2), if it still exists. */
  findInviteFor(cancel: SipRequest): InviteServerTransaction | undefined {
    const key = cancelTargetKey(cancel);
    const tx = key === undefined ? undefined : this.servers.get(key);
    return tx instanceof InviteServerTransaction ? tx : undefined;
  }

  /** Stop every transaction and timer, telling no one (shutdown). */
  close(): void {
    for (const tx of this.clients.values()) tx.dispose();
    for (const tx of this.serverKeysOf.keys()) tx.dispose();
    this.clients.clear();
    this.servers.clear();
    this.serverKeysOf.clear();
    this.working.clear();
  }

  /** §21.5.4 overload: too many transactions working, or too many in all (lingering ones included). */
  private full(): boolean {
    return this.working.size >= this.max || this.clients.size + this.serverKeysOf.size >= this.max * LINGER_FACTOR;
  }

  /** §17.1.3: match by top Via branch and CSeq method; no match goes to the TU as a stray (§18.1.2). */
  private receiveResponse(response: SipResponse, source: TransportAddress): Disposition {
    const key = responseKey(response);
    if (key === undefined) return this.drop(response, source, 'response without top Via branch or CSeq');
    const tx = this.clients.get(key);
    if (!tx) {
      this.opts.user.strayResponse(response, source);
      return 'stray';
    }
    tx.receive(response);
    return 'matched';
  }

  private receiveRequest(request: SipRequest, source: TransportAddress): Disposition {
    const existing = this.matchServer(request);
    if (existing) {
      existing.receive(request);
      return 'matched';
    }
    if (request.method === 'ACK') {
      this.opts.user.ack(request, source);
      return 'ack';
    }
    const keys = serverKeys(request);
    if (!keys) return this.drop(request, source, 'request without usable top Via, CSeq or Call-ID');
    if (this.full()) {
      // Overload (§21.5.4): answered statelessly, at the packet's source.
      const busy = createResponse(request, 503, 'Service Unavailable', { toTag: newTag() });
      busy.headers.push({ name: 'Retry-After', value: '5' });
      this.sendQuietly(busy, source);
      return 'rejected';
    }
    return this.createServer(request, source, keys);
  }

  /** §17.2.3: the server transaction of a retransmission, or of an ACK for a non-2xx (or in Accepted). */
  private matchServer(request: SipRequest): ServerTransaction | undefined {
    const lookup = lookupKey(request);
    if (!lookup) return undefined;
    const tx = this.servers.get(lookup.key);
    if (!tx || lookup.ackToTag === undefined) return tx;
    // RFC 2543 ACK: its To tag must be the one of the response the transaction sent.
    return (tx.responseToTag ?? null) === lookup.ackToTag ? tx : undefined;
  }

  private createServer(request: SipRequest, source: TransportAddress, keys: string[]): Disposition {
    const tu = this.opts.user;
    const user = (event: ServerEvent, tx: ServerTransaction) => tu.serverEvent?.(event, tx);
    const tx = request.method === 'INVITE'
      ? new InviteServerTransaction(keys[0]!, request, source, this.ctx, user)
      : new NonInviteServerTransaction(keys[0]!, request, source, this.ctx, user);
    for (const key of keys) this.servers.set(key, tx);
    this.serverKeysOf.set(tx, keys);
    this.working.add(tx.id);
    tx.start();
    tu.request(tx, source);
    return 'created';
  }

  /** Called by a transaction the instant it enters Terminated (§17.1.1.2, §17.2.1: destroyed at once). */
  private remove(tx: { readonly id: string }): void {
    this.working.delete(tx.id);
    if (this.clients.get(tx.id) === tx) {
      this.clients.delete(tx.id);
      return;
    }
    const server = tx as ServerTransaction;
    for (const key of this.serverKeysOf.get(server) ?? []) {
      if (this.servers.get(key) === server) this.servers.delete(key);
    }
    this.serverKeysOf.delete(server);
  }

  private drop(message: SipMessage, source: TransportAddress, reason: string): 'dropped' {
    this.opts.user.dropped?.(message, source, reason);
    return 'dropped';
  }

  private sendQuietly(message: SipMessage, destination: TransportAddress): void {
    try {
      const pending = this.opts.send(message, destination);
      if (pending) pending.catch(() => undefined);
    } catch {
      // A stateless response has no transaction to fail; the peer retransmits.
    }
  }
}

