/**
 * The SIP transport layer (RFC 3261 §18; rport RFC 3581; SIP over WebSocket RFC 7118; keepalives
 * RFC 5626 §3.5.1). It sits between SipListeners (sockets) and the transaction layer:
 *
 *   inbound   UDP datagram | TCP/TLS byte stream (StreamFramer) | WS/WSS message (datagram framing)
 *             -> parse -> request: stamp top Via (received/rport) -> dropRequest hook -> deliver
 *             parse error: request -> error response to the packet's SOURCE; response -> dropped (§18.1.2)
 *   outbound  send(message, dest): UDP from the listening socket; TCP/TLS/WS/WSS over the connection the
 *             peer opened (same connection, §18.2.2); a new outbound connection only for TCP, only if
 *             the egress policy allows it.
 *
 * Egress rule (DESIGN.md "Security": answer at the packet's source, never reflect to hosts named in
 * headers). `mayEgress(address, port, transport)` is consulted for every send, except a RESPONSE whose
 * destination is a peer we heard from: a live connection to dest (by connectionId or by
 * transport+address+port), or, for UDP, a recent source of a request (RecentSources, bounded TTL).
 * Requests always consult the policy, even over an existing connection. Without a policy nothing
 * outside those exemptions may be sent (deny by default).
 */
import type { Socket as TcpSocket } from 'node:net';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { SipInbound } from './listeners.js';
import { serializeMessage, type SipMessage, type SipRequest } from './message.js';
import { DEFAULT_MAX_SIZE, type ParseError, parseMessage, type PartialInfo } from './parse.js';
import type { TransportName } from './transaction-types.js';
import { type Connection, ConnectionTable, type StreamTransport, type TransportSource } from './transport-connections.js';
import { parseErrorResponse, safeResponse, TransportError } from './transport-errors.js';
import { RecentSources } from './transport-sources.js';
import { StreamSessions } from './transport-streams.js';
import { normalizeAddress } from '../net.js';
import { stampTopVia } from './transport-via.js';

export type { TransportSource } from './transport-connections.js';

/** What SipListeners offers for sending UDP (its `sendDatagram`). */
export interface DatagramSender {
  sendDatagram(data: Buffer, port: number, address: string): Promise<void>;
}

/** A stream connection that closed (see SipTransport.onConnectionClosed). */
export type ClosedConnection = Pick<Connection, 'id' | 'transport' | 'address' | 'port' | 'outbound'>;

export type EgressPolicy = (address: string, port: number, transport: TransportName) => boolean;

export interface SipTransportOptions {
  /** Receives every accepted message (the TransactionLayer's `receive`). */
  deliver: (message: SipMessage, source: TransportSource) => void;
  log: Logger;
  /** Egress allow-list (trunks, registered contacts, configured networks). Default: deny. */
  mayEgress?: EgressPolicy;
  /** Scanner / ban hook: true drops a request silently before delivery (after Via stamping). */
  dropRequest?: (message: SipRequest, source: TransportSource) => boolean;
  /** Most live stream connections, inbound and outbound (default 1024). */
  maxConnections?: number;
  /** Largest accepted message in bytes (default 64 KiB, parse.ts DEFAULT_MAX_SIZE). */
  maxMessageSize?: number;
  /** Close a TCP connection after this long without traffic either way (default 120 s). */
  idleTimeoutMs?: number;
  /** Give up opening an outbound TCP connection after this long (default 10 s). */
  connectTimeoutMs?: number;
  /** How long a UDP request source stays a valid response destination (default 300 s). */
  recentSourceTtlMs?: number;
  /** How many UDP sources are remembered (default 10000). */
  maxRecentSources?: number;
  now?: () => number;
}

/** Largest UDP payload over IPv4 (65535 - 8 UDP - 20 IP). */
const MAX_DATAGRAM = 65_507;

export class SipTransport implements SipInbound {
  private sender?: DatagramSender;
  private closed = false;
  private readonly table: ConnectionTable;
  private readonly sources: RecentSources;
  private readonly streams: StreamSessions;
  private readonly maxSize: number;
  private readonly closeListeners = new Set<(conn: ClosedConnection) => void>();

  constructor(private readonly opts: SipTransportOptions) {
    this.maxSize = opts.maxMessageSize ?? DEFAULT_MAX_SIZE;
    this.table = new ConnectionTable(opts.maxConnections ?? 1024);
    this.sources = new RecentSources(opts.recentSourceTtlMs ?? 300_000, opts.maxRecentSources ?? 10_000, opts.now ?? Date.now);
    this.streams = new StreamSessions(this.table, opts.log, {
      maxSize: this.maxSize,
      idleTimeoutMs: opts.idleTimeoutMs ?? 120_000,
      connectTimeoutMs: opts.connectTimeoutMs ?? 10_000,
      message: (m, source) => this.accept(m, source),
      parseError: (e, source, reply) => this.reject(e, source, reply),
      closed: (conn) => this.connectionClosed(conn),
    });
  }

  /** Give the transport the UDP socket to send from (SipListeners, after construction). */
  attach(sender: DatagramSender): void {
    this.sender = sender;
  }

  /** Live stream connections. */
  get connectionCount(): number {
    return this.table.size;
  }

  /** Snapshot of the live connections (for diagnostics and tests). */
  connections(): Array<Pick<Connection, 'id' | 'transport' | 'address' | 'port' | 'outbound'>> {
    return this.table.all().map(({ id, transport, address, port, outbound }) => ({ id, transport, address, port, outbound }));
  }

  /**
   * Be told when a stream connection (TCP, TLS, WS, WSS) closes, by either side (the registrar drops
   * the bindings made over it). Returns the function that unsubscribes. Listener errors are logged.
   */
  onConnectionClosed(listener: (conn: ClosedConnection) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  private connectionClosed(conn: Connection): void {
    const info: ClosedConnection = { id: conn.id, transport: conn.transport, address: conn.address, port: conn.port, outbound: conn.outbound };
    for (const listener of this.closeListeners) {
      try {
        listener(info);
      } catch (err) {
        this.opts.log.warn({ connection: conn.id, err: err instanceof Error ? err.message : String(err) }, 'sip connection-closed listener failed');
      }
    }
  }

  // ---- inbound (SipInbound) ----

  /** One UDP datagram = one message (§18.3); trailing octets after Content-Length are ignored. */
  datagram(data: Buffer, from: { address: string; port: number; transport: 'udp' }): void {
    if (this.closed) return;
    const source: TransportSource = { transport: 'udp', address: normalizeAddress(from.address), port: from.port };
    const result = parseMessage(data, { transport: 'udp', maxSize: this.maxSize });
    if (result.ok) {
      this.accept(result.message, source);
      return;
    }
    if (result.keepalive) return;
    // §18.2.2 restricted: the answer goes to the packet's source, never to the Via sent-by.
    this.reject(result, source, (buf) => this.sendUdp(buf, source.address, source.port));
  }

  /**
   * A new inbound stream. SipListeners gives TCP and WS; a TLS or WSS listener (whoever terminates TLS)
   * hands its TLSSocket as 'tls' and its WebSocket as 'wss'.
   */
  stream(socket: TcpSocket | WebSocket, transport: StreamTransport, remote?: { address: string; port: number }): void {
    const isWs = transport === 'ws' || transport === 'wss';
    if (this.closed || this.table.full()) {
      this.opts.log.warn({ transport, max: this.table.max }, 'sip connection refused: connection limit');
      if (isWs) (socket as WebSocket).close(1013, 'connection limit');
      else (socket as TcpSocket).destroy();
      return;
    }
    if (!isWs) {
      this.streams.adoptTcp(socket as TcpSocket, false, transport);
      return;
    }
    const ws = socket as WebSocket;
    // RFC 7118 §4: the `sip` subprotocol is mandatory. `ws` accepts a handshake without any subprotocol
    // header (handleProtocols is not consulted then), so the check is repeated here.
    if (ws.protocol !== 'sip') ws.close(1002, 'subprotocol sip required');
    else this.streams.adoptWs(ws, remote ?? { address: '', port: 0 }, transport);
  }

  /** A parsed message: stamp, filter, deliver. Returns whether it was delivered. */
  private accept(message: SipMessage, source: TransportSource): boolean {
    if (message.kind === 'request') {
      stampTopVia(message, source);
      if (this.opts.dropRequest?.(message, source)) {
        this.opts.log.debug({ from: `${source.address}:${source.port}`, method: message.method }, 'sip request dropped by policy');
        return false;
      }
      // Before delivery: the TU may answer synchronously, and the answer goes to this source.
      if (source.transport === 'udp') this.sources.note('udp', source.address, source.port);
    }
    try {
      this.opts.deliver(message, source);
      return true;
    } catch (err) {
      this.opts.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'sip message handler failed');
      return false;
    }
  }

  /** A parse failure: requests get the error status statelessly (§8.2.6, §21.4); responses are dropped (§18.1.2). */
  private reject(
    failure: { error: ParseError; isRequest: boolean; drop: boolean; partial?: PartialInfo },
    source: TransportSource,
    reply: (data: Buffer) => Promise<void>,
  ): void {
    const from = `${source.transport}:${source.address}:${source.port}`;
    if (failure.drop || !failure.isRequest) {
      this.opts.log.debug({ from, reason: failure.error.reason }, 'sip malformed response or garbage dropped');
      return;
    }
    this.opts.log.debug({ from, code: failure.error.code, reason: failure.error.reason }, 'sip malformed request rejected');
    let data: Buffer;
    try {
      data = serializeMessage(safeResponse(parseErrorResponse(failure.error, failure.partial, source)));
    } catch (err) {
      this.opts.log.debug({ from, err: err instanceof Error ? err.message : String(err) }, 'sip error response not buildable');
      return;
    }
    reply(data).catch((err: unknown) => this.opts.log.debug({ from, err: err instanceof Error ? err.message : String(err) }, 'sip error response not sent'));
  }

  // ---- outbound ----

  /** Serialize and send `message` to `dest` (rules in the file comment). Rejects with TransportError. */
  async send(message: SipMessage, dest: TransportSource): Promise<void> {
    if (this.closed) throw new TransportError('closed', 'sip transport is closed');
    const data = serializeMessage(message);
    const isResponse = message.kind === 'response';
    const address = normalizeAddress(dest.address);
    switch (dest.transport) {
      case 'udp':
        if (!(isResponse && this.sources.has('udp', address, dest.port))) this.checkEgress(address, dest.port, 'udp');
        return this.sendUdp(data, address, dest.port);
      case 'tcp':
      case 'tls':
      case 'ws':
      case 'wss':
        return this.sendStream(data, { ...dest, address }, isResponse);
      default:
        throw new TransportError('unsupported-transport', `transport ${dest.transport} is not served`);
    }
  }

  private checkEgress(address: string, port: number, transport: TransportName): void {
    if (!this.opts.mayEgress?.(address, port, transport)) {
      throw new TransportError('egress-denied', `egress to ${transport}:${address}:${port} is not allowed`);
    }
  }

  private async sendUdp(data: Buffer, address: string, port: number): Promise<void> {
    if (!this.sender) throw new TransportError('send-failed', 'no UDP socket attached');
    if (data.length > MAX_DATAGRAM) throw new TransportError('too-large', `${data.length} bytes do not fit a UDP datagram`);
    try {
      await this.sender.sendDatagram(data, port, address);
    } catch (err) {
      throw new TransportError('send-failed', `udp send to ${address}:${port} failed`, { cause: err });
    }
  }

  /** §18.2.2: the same connection when it still exists; §18.1.1: reuse a connection to the peer. */
  private async sendStream(data: Buffer, dest: TransportSource, isResponse: boolean): Promise<void> {
    const byId = dest.connectionId === undefined ? undefined : this.table.byId(dest.connectionId);
    let conn = byId && byId.transport === dest.transport ? byId : this.table.byPeer(dest.transport, dest.address, dest.port);
    if (conn && !isResponse) this.checkEgress(dest.address, dest.port, dest.transport);
    if (!conn) {
      // Outbound only for plain TCP: WebSocket peers connect to us (RFC 7118 §5), and outbound TLS needs
      // certificate verification settings this layer does not have.
      if (dest.transport !== 'tcp') throw new TransportError('no-connection', `no ${dest.transport} connection to ${dest.address}:${dest.port}`);
      this.checkEgress(dest.address, dest.port, 'tcp');
      if (this.table.full()) throw new TransportError('connection-limit', `connection limit (${this.table.max}) reached`);
      conn = await this.streams.connectTcp(dest.address, dest.port);
    }
    await conn.write(data);
  }

  /** Close every connection and refuse further traffic (the listeners close their own sockets). */
  close(): void {
    this.closed = true;
    for (const conn of this.table.all()) conn.destroy();
  }
}
