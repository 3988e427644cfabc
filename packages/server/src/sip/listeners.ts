import { createSocket, type Socket } from 'node:dgram';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type Server as TcpServer, type Socket as TcpSocket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { TlsCredentials } from './tls-credentials.js';

export interface SipListenerConfig {
  host: string;
  port: number;
  wsPort: number;
  /** Ports of SIP over TLS and secure WebSocket; they listen only with `tls` credentials. */
  tlsPort?: number;
  wssPort?: number;
  /** Certificate and key (sip/tls-credentials.ts); without them no TLS/WSS listener. */
  tls?: TlsCredentials | null;
}

/** Where each listener is bound. */
export type ListenerAddresses = Record<'udp' | 'tcp' | 'ws' | 'tls' | 'wss', BoundListener | null>;

/**
 * The UDP receive buffer asked for (the kernel caps it at net.core.rmem_max). Bursts of calls arrive
 * faster than one event-loop turn drains them; with the default (~208 KB) the kernel drops datagrams
 * above ~150 calls/s and each drop costs a 500 ms retransmission (scripts/bench/sip-load.mjs).
 */
const UDP_RECV_BUFFER = 4 * 1024 * 1024;

export interface BoundListener {
  host: string;
  port: number;
}

/** Handler of raw SIP traffic: the SIP stack (SipTransport -> transactions -> core) plugs in here. */
export interface SipInbound {
  datagram(data: Buffer, from: { address: string; port: number; transport: 'udp' }): void;
  /** `remote` is the peer's address (given for WebSocket, whose socket is not public; TCP has it on the socket). */
  stream(socket: TcpSocket | import('ws').WebSocket, transport: 'tcp' | 'ws' | 'tls' | 'wss', remote?: { address: string; port: number }): void;
}

/**
 * The SIP listeners: UDP and TCP on the same port, SIP over WebSocket (RFC 7118, subprotocol `sip`),
 * and, when a certificate is configured, SIP over TLS (RFC 3261 §26.2.1; the TLSSocket is handed to the
 * transport as `tls`) and secure WebSocket (`wss`). They bind at start so port conflicts show at once
 * and port 0 resolves to a real port. Failed TLS handshakes are logged at debug and cost nothing else.
 * Traffic goes to the SipInbound (the server passes its SipTransport, which feeds the transaction layer
 * and the SIP core, main.ts); without one (listener tests) datagrams are read and dropped and streams
 * are closed.
 */
export class SipListeners {
  private udp?: Socket;
  private bound: ListenerAddresses | undefined;
  private tcp?: TcpServer;
  private wsHttp?: HttpServer;
  private wss?: WebSocketServer;
  private tls?: TlsServer;
  private wssHttp?: HttpServer;
  private wssServer?: WebSocketServer;
  private readonly streams = new Set<TcpSocket | import('ws').WebSocket>();

  constructor(
    private readonly cfg: SipListenerConfig,
    private readonly log: Logger,
    private readonly inbound?: SipInbound,
  ) {}

  async start(): Promise<void> {
    // UDP and TCP share one port number; with port 0 the UDP pick is reused for TCP (retried on a clash).
    for (let attempt = 0; ; attempt++) {
      const udpPort = await this.bindUdp(this.cfg.port);
      try {
        await this.bindTcp(udpPort);
        break;
      } catch (err) {
        this.udp?.close();
        if (this.cfg.port !== 0 || attempt >= 20) throw err;
      }
    }
    const ws = this.wsServer(createHttpServer(upgradeOnly), 'ws');
    [this.wsHttp, this.wss] = [ws.http, ws.wss];
    await listen(ws.http, this.cfg.wsPort, this.cfg.host);
    const tls = this.cfg.tls;
    if (tls) {
      await this.bindTls(tls);
      const wss = this.wsServer(createHttpsServer({ cert: tls.cert, key: tls.key }, upgradeOnly), 'wss');
      [this.wssHttp, this.wssServer] = [wss.http, wss.wss];
      wss.http.on('tlsClientError', (err) => this.log.debug({ err: err.message }, 'sip wss handshake failed'));
      await listen(wss.http, this.cfg.wssPort ?? 8089, this.cfg.host);
    }
    // The bound ports never change once listening; the SIP stack asks for them on every message it builds.
    this.bound = this.readAddresses();
  }

  private bindTls(creds: TlsCredentials): Promise<void> {
    const server = createTlsServer({ cert: creds.cert, key: creds.key }, (socket) => {
      this.track(socket);
      if (this.inbound) this.inbound.stream(socket, 'tls');
      else socket.destroy();
    });
    server.on('tlsClientError', (err) => this.log.debug({ err: err.message }, 'sip tls handshake failed'));
    this.tls = server;
    return listen(server, this.cfg.tlsPort ?? 5061, this.cfg.host);
  }

  private bindUdp(port: number): Promise<number> {
    const sock = createSocket({ type: this.cfg.host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: UDP_RECV_BUFFER });
    this.udp = sock;
    sock.on('message', (data, rinfo) => {
      if (this.inbound) this.inbound.datagram(data, { address: rinfo.address, port: rinfo.port, transport: 'udp' });
      else this.log.debug({ from: `${rinfo.address}:${rinfo.port}`, bytes: data.length }, 'sip udp datagram dropped (no SIP stack)');
    });
    return new Promise((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(port, this.cfg.host, () => {
        sock.off('error', reject);
        sock.on('error', (err) => this.log.warn({ err: err.message }, 'sip udp socket error'));
        // Linux reports twice the granted size; less than asked means net.core.rmem_max capped it.
        const granted = sock.getRecvBufferSize();
        if (granted < UDP_RECV_BUFFER) this.log.info({ granted, asked: UDP_RECV_BUFFER }, 'sip udp receive buffer capped by the kernel (raise net.core.rmem_max for high call rates)');
        resolve(sock.address().port);
      });
    });
  }

  private track(s: TcpSocket | import('ws').WebSocket): void {
    this.streams.add(s);
    s.once('close', () => this.streams.delete(s));
  }

  private bindTcp(port: number): Promise<void> {
    const server = createTcpServer((socket) => {
      this.track(socket);
      if (this.inbound) this.inbound.stream(socket, 'tcp');
      else socket.destroy();
    });
    this.tcp = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.cfg.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  /** A WebSocket server (subprotocol `sip`) on an HTTP or HTTPS server; connections go to the inbound as `transport`. */
  private wsServer(http: HttpServer, transport: 'ws' | 'wss'): { http: HttpServer; wss: WebSocketServer } {
    const wss = new WebSocketServer({
      server: http,
      maxPayload: 64 * 1024,
      handleProtocols: (protocols) => (protocols.has('sip') ? 'sip' : false),
    });
    wss.on('connection', (ws, req) => {
      this.track(ws);
      const remote = { address: req.socket.remoteAddress ?? '', port: req.socket.remotePort ?? 0 };
      if (this.inbound) this.inbound.stream(ws, transport, remote);
      else ws.close(1013, 'SIP stack not available');
    });
    // ws re-emits the HTTP server's errors (EADDRINUSE on listen) on the WebSocketServer; they are
    // handled by `listen` below, so without this listener they would crash the process.
    wss.on('error', () => {});
    return { http, wss };
  }

  /** Send one UDP datagram from the listening socket (so replies leave from the SIP port, RFC 3261 §18.2.2). */
  sendDatagram(data: Buffer, port: number, address: string): Promise<void> {
    const udp = this.udp;
    if (!udp) return Promise.reject(new Error('sip udp listener not started'));
    return new Promise((resolve, reject) => udp.send(data, port, address, (err) => (err ? reject(err) : resolve())));
  }

  /** The bound address of each listener (null when it does not listen); read once at start. */
  addresses(): ListenerAddresses {
    return this.bound ?? this.readAddresses();
  }

  private readAddresses(): ListenerAddresses {
    const bound = (server: TcpServer | HttpServer | undefined): BoundListener | null => {
      const a = server?.address();
      return a && typeof a === 'object' ? { host: this.cfg.host, port: a.port } : null;
    };
    return {
      udp: this.udp ? { host: this.cfg.host, port: this.udp.address().port } : null,
      tcp: bound(this.tcp),
      ws: bound(this.wsHttp),
      tls: bound(this.tls),
      wss: bound(this.wssHttp),
    };
  }

  async stop(): Promise<void> {
    this.bound = undefined;
    for (const s of this.streams) {
      if ('destroy' in s) s.destroy();
      else s.terminate();
    }
    await Promise.all([
      new Promise<void>((r) => (this.udp ? this.udp.close(() => r()) : r())),
      new Promise<void>((r) => (this.tcp ? this.tcp.close(() => r()) : r())),
      new Promise<void>((r) => (this.wss ? this.wss.close(() => r()) : r())),
      new Promise<void>((r) => (this.wsHttp ? this.wsHttp.close(() => r()) : r())),
      new Promise<void>((r) => (this.tls ? this.tls.close(() => r()) : r())),
      new Promise<void>((r) => (this.wssServer ? this.wssServer.close(() => r()) : r())),
      new Promise<void>((r) => (this.wssHttp ? this.wssHttp.close(() => r()) : r())),
    ]);
  }
}

/** The HTTP answer of a WebSocket port to anything but an upgrade. */
function upgradeOnly(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(426, { 'content-type': 'text/plain' }).end('SIP over WebSocket only\n');
}

/** Listen, rejecting on a bind error (EADDRINUSE) instead of emitting it later. */
function listen(server: TcpServer | HttpServer, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
