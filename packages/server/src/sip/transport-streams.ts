/**
 * Reading stream connections (RFC 3261 §18.3) and opening outbound TCP ones:
 *   - TCP and TLS (RFC 3261 §26.2.1; the TLS socket is terminated by whoever accepts it): bytes go through a StreamFramer; CRLFCRLF "ping" is answered with a CRLF "pong" (RFC 5626
 *     §3.5.1, §4.4.1); a fatal framing error is answered (when it is a request) and the connection is
 *     closed, since the next message boundary is unknown; no traffic for `idleTimeoutMs` closes it.
 *   - WebSocket (ws and wss): one SIP message per WebSocket message, parsed like a datagram (RFC 7118 §5,
 *     Content-Length optional); WebSocket ping/pong is answered by `ws` itself.
 */
import { connect, type Socket as TcpSocket } from 'node:net';
import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import { StreamFramer } from './framer.js';
import type { SipMessage } from './message.js';
import { type ParseError, parseMessage, type PartialInfo } from './parse.js';
import { type Connection, type ConnectionTable, peerKey, tcpConnection, type TransportSource, wsConnection } from './transport-connections.js';
import { TransportError } from './transport-errors.js';

export interface StreamFailure {
  error: ParseError;
  isRequest: boolean;
  drop: boolean;
  partial?: PartialInfo;
}

export interface StreamSessionOptions {
  maxSize: number;
  idleTimeoutMs: number;
  connectTimeoutMs: number;
  message(message: SipMessage, source: TransportSource): void;
  parseError(failure: StreamFailure, source: TransportSource, reply: (data: Buffer) => Promise<void>): void;
  /** A connection closed (either side) and left the table. */
  closed?(conn: Connection): void;
}

const CRLF = Buffer.from('\r\n');

export class StreamSessions {
  /** Outbound connects in progress, by peer: concurrent sends to one peer share one connection. */
  private readonly connecting = new Map<string, Promise<Connection>>();

  constructor(
    private readonly table: ConnectionTable,
    private readonly log: Logger,
    private readonly opts: StreamSessionOptions,
  ) {}

  /** Register a connected TCP (or TLS) socket and read SIP from it. */
  adoptTcp(socket: TcpSocket, outbound: boolean, transport: 'tcp' | 'tls' = 'tcp'): Connection {
    const conn = tcpConnection(this.table.nextId(transport), socket, outbound, transport);
    const source: TransportSource = { transport, address: conn.address, port: conn.port, connectionId: conn.id };
    const framer = new StreamFramer({ maxSize: this.opts.maxSize });
    const reply = (data: Buffer) => conn.write(data);
    this.table.add(conn);
    socket.setTimeout(this.opts.idleTimeoutMs, () => {
      this.log.debug({ connection: conn.id }, 'sip tcp connection idle: closed');
      socket.destroy();
    });
    socket.on('data', (chunk: Buffer) => {
      for (const ev of framer.feed(chunk)) {
        if (ev.type === 'message') this.opts.message(ev.message, source);
        else if (ev.type === 'ping') reply(CRLF).catch(() => socket.destroy());
        else if (ev.type === 'error') {
          this.opts.parseError(ev, source, reply);
          if (ev.fatal) conn.end();
        }
      }
    });
    socket.on('error', (err) => this.log.debug({ connection: conn.id, err: err.message }, 'sip stream connection error'));
    socket.once('close', () => this.remove(conn));
    return conn;
  }

  /** Register an accepted WebSocket (subprotocol `sip`, checked by the listener) and read SIP from it. */
  adoptWs(ws: WebSocket, remote: { address: string; port: number }, transport: 'ws' | 'wss' = 'ws'): Connection {
    const conn = wsConnection(this.table.nextId(transport), ws, remote, transport);
    const source: TransportSource = { transport, address: conn.address, port: conn.port, connectionId: conn.id };
    const reply = (data: Buffer) => conn.write(data);
    this.table.add(conn);
    ws.on('message', (raw: RawData) => {
      const data = Array.isArray(raw) ? Buffer.concat(raw) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
      const result = parseMessage(data, { transport: 'udp', maxSize: this.opts.maxSize });
      if (result.ok) this.opts.message(result.message, source);
      else if (!result.keepalive) this.opts.parseError(result, source, reply);
    });
    ws.on('error', (err) => this.log.debug({ connection: conn.id, err: err.message }, 'sip ws connection error'));
    ws.once('close', () => this.remove(conn));
    return conn;
  }

  private remove(conn: Connection): void {
    this.table.remove(conn);
    this.opts.closed?.(conn);
  }

  /** Open a TCP connection to a peer the egress policy allowed (checked by the caller). */
  connectTcp(address: string, port: number): Promise<Connection> {
    const key = peerKey('tcp', address, port);
    const pending = this.connecting.get(key);
    if (pending) return pending;
    const attempt = this.openTcp(address, port).finally(() => this.connecting.delete(key));
    this.connecting.set(key, attempt);
    return attempt;
  }

  private openTcp(address: string, port: number): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: address, port });
      const fail = (err: Error) => {
        socket.destroy();
        reject(new TransportError('send-failed', `tcp connect to ${address}:${port} failed: ${err.message}`, { cause: err }));
      };
      socket.setTimeout(this.opts.connectTimeoutMs, () => fail(new Error('connect timeout')));
      socket.once('error', fail);
      socket.once('connect', () => {
        socket.off('error', fail);
        socket.removeAllListeners('timeout');
        socket.setTimeout(0);
        resolve(this.adoptTcp(socket, true));
      });
    });
  }
}
