/**
 * Stream connections of the SIP transport (TCP, WebSocket) and the table that finds them again.
 *
 * RFC 3261 §18.2.2: a response goes back over the connection its request came on; RFC 3261 §18.1.1 and
 * RFC 5923 reuse an existing connection to a peer for further requests. So connections are kept under
 * an id (carried in the message source as `connectionId`) and under the remote transport+address+port.
 * Single node: the table is local to this process (a SIP load balancer keeps a flow on one node).
 */
import { isUtf8 } from 'node:buffer';
import type { Socket as TcpSocket } from 'node:net';
import type { WebSocket } from 'ws';
import type { TransportAddress } from './transaction-types.js';
import { TransportError } from './transport-errors.js';
import { normalizeAddress } from '../net.js';

/** Reliable transports carried by this layer: TCP and TLS byte streams, WebSocket messages (RFC 7118). */
export type StreamTransport = 'tcp' | 'tls' | 'ws' | 'wss';

/** Where a message came from; `connectionId` names the stream connection (TCP/WS) it arrived on. */
export interface TransportSource extends TransportAddress {
  connectionId?: string;
}

export interface Connection {
  readonly id: string;
  readonly transport: StreamTransport;
  /** Remote address (IPv4-mapped IPv6 normalised to IPv4) and port. */
  readonly address: string;
  readonly port: number;
  /** True when this server opened the connection. */
  readonly outbound: boolean;
  /** Send bytes; rejects with TransportError 'send-failed' when the connection is gone or fails. */
  write(data: Buffer): Promise<void>;
  /** Flush what was written, then close. */
  end(): void;
  /** Close at once. */
  destroy(): void;
}

export function peerKey(transport: string, address: string, port: number): string {
  return `${transport.toLowerCase()}|${normalizeAddress(address)}|${port}`;
}

const writeFailed = (id: string, cause?: unknown) => new TransportError('send-failed', `connection ${id} is closed or failed`, { cause });

/** A TCP connection, or TLS (a TLSSocket is a net.Socket). */
export function tcpConnection(id: string, socket: TcpSocket, outbound: boolean, transport: 'tcp' | 'tls' = 'tcp'): Connection {
  return {
    id,
    transport,
    address: normalizeAddress(socket.remoteAddress ?? ''),
    port: socket.remotePort ?? 0,
    outbound,
    write: (data) =>
      new Promise((resolve, reject) => {
        if (socket.destroyed || !socket.writable) return reject(writeFailed(id));
        socket.write(data, (err) => (err ? reject(writeFailed(id, err)) : resolve()));
      }),
    end: () => {
      socket.end();
      // A peer that never reads must not keep the socket half-open forever.
      socket.setTimeout(2000, () => socket.destroy());
    },
    destroy: () => socket.destroy(),
  };
}

/** RFC 7118 §5: one SIP message per WebSocket message; text frames for UTF-8, binary otherwise. */
export function wsConnection(id: string, ws: WebSocket, remote: { address: string; port: number }, transport: 'ws' | 'wss' = 'ws'): Connection {
  return {
    id,
    transport,
    address: normalizeAddress(remote.address),
    port: remote.port,
    outbound: false,
    write: (data) =>
      new Promise((resolve, reject) => {
        if (ws.readyState !== ws.OPEN) return reject(writeFailed(id));
        ws.send(data, { binary: !isUtf8(data) }, (err) => (err ? reject(writeFailed(id, err)) : resolve()));
      }),
    end: () => ws.close(1000),
    destroy: () => ws.terminate(),
  };
}

/** Live connections by id and by peer, with a size limit. */
export class ConnectionTable {
  private readonly byIdMap = new Map<string, Connection>();
  private readonly byPeerMap = new Map<string, Connection>();
  private seq = 0;

  constructor(readonly max: number) {}

  get size(): number {
    return this.byIdMap.size;
  }

  full(): boolean {
    return this.byIdMap.size >= this.max;
  }

  nextId(transport: StreamTransport): string {
    return `${transport}-${++this.seq}`;
  }

  add(conn: Connection): void {
    this.byIdMap.set(conn.id, conn);
    // The newest connection to a peer wins (the peer reconnected; RFC 5626 §4.2 flow recovery).
    this.byPeerMap.set(peerKey(conn.transport, conn.address, conn.port), conn);
  }

  remove(conn: Connection): void {
    this.byIdMap.delete(conn.id);
    const key = peerKey(conn.transport, conn.address, conn.port);
    if (this.byPeerMap.get(key) === conn) this.byPeerMap.delete(key);
  }

  byId(id: string): Connection | undefined {
    return this.byIdMap.get(id);
  }

  byPeer(transport: string, address: string, port: number): Connection | undefined {
    return this.byPeerMap.get(peerKey(transport, address, port));
  }

  all(): Connection[] {
    return [...this.byIdMap.values()];
  }
}
