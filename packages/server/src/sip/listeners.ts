import { createSocket, type Socket } from 'node:dgram';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket as TcpSocket } from 'node:net';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';

export interface SipListenerConfig {
  host: string;
  port: number;
  wsPort: number;
}

export interface BoundListener {
  host: string;
  port: number;
}

/** Handler of raw SIP traffic: the SIP stack (SipTransport -> transactions -> core) plugs in here. */
export interface SipInbound {
  datagram(data: Buffer, from: { address: string; port: number; transport: 'udp' }): void;
  /** `remote` is the peer's address (given for WebSocket, whose socket is not public; TCP has it on the socket). */
  stream(socket: TcpSocket | import('ws').WebSocket, transport: 'tcp' | 'ws', remote?: { address: string; port: number }): void;
}

/**
 * The SIP listeners: UDP and TCP on the same port, and SIP over WebSocket (RFC 7118, subprotocol
 * `sip`). They bind at start so port conflicts show at once and port 0 resolves to a real port.
 * Traffic goes to the SipInbound (the server passes its SipTransport, which feeds the transaction layer
 * and the SIP core, main.ts); without one (listener tests) datagrams are read and dropped and streams
 * are closed.
 */
export class SipListeners {
  private udp?: Socket;
  private tcp?: TcpServer;
  private wsHttp?: HttpServer;
  private wss?: WebSocketServer;
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
    await this.bindWs();
  }

  private bindUdp(port: number): Promise<number> {
    const sock = createSocket({ type: this.cfg.host.includes(':') ? 'udp6' : 'udp4' });
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

  private bindWs(): Promise<void> {
    const http = createHttpServer((_req, res) => res.writeHead(426, { 'content-type': 'text/plain' }).end('SIP over WebSocket only\n'));
    const wss = new WebSocketServer({
      server: http,
      maxPayload: 64 * 1024,
      handleProtocols: (protocols) => (protocols.has('sip') ? 'sip' : false),
    });
    wss.on('connection', (ws, req) => {
      this.track(ws);
      const remote = { address: req.socket.remoteAddress ?? '', port: req.socket.remotePort ?? 0 };
      if (this.inbound) this.inbound.stream(ws, 'ws', remote);
      else ws.close(1013, 'SIP stack not available');
    });
    // ws re-emits the HTTP server's errors (EADDRINUSE on listen) on the WebSocketServer; they are
    // handled on `http` below, so without this listener they would crash the process.
    wss.on('error', () => {});
    this.wsHttp = http;
    this.wss = wss;
    return new Promise((resolve, reject) => {
      http.once('error', reject);
      http.listen(this.cfg.wsPort, this.cfg.host, () => {
        http.off('error', reject);
        resolve();
      });
    });
  }

  /** Send one UDP datagram from the listening socket (so replies leave from the SIP port, RFC 3261 §18.2.2). */
  sendDatagram(data: Buffer, port: number, address: string): Promise<void> {
    const udp = this.udp;
    if (!udp) return Promise.reject(new Error('sip udp listener not started'));
    return new Promise((resolve, reject) => udp.send(data, port, address, (err) => (err ? reject(err) : resolve())));
  }

  addresses(): { udp: BoundListener | null; tcp: BoundListener | null; ws: BoundListener | null } {
    const tcpAddr = this.tcp?.address();
    const wsAddr = this.wsHttp?.address();
    return {
      udp: this.udp ? { host: this.cfg.host, port: this.udp.address().port } : null,
      tcp: tcpAddr && typeof tcpAddr === 'object' ? { host: this.cfg.host, port: tcpAddr.port } : null,
      ws: wsAddr && typeof wsAddr === 'object' ? { host: this.cfg.host, port: wsAddr.port } : null,
    };
  }

  async stop(): Promise<void> {
    for (const s of this.streams) {
      if ('destroy' in s) s.destroy();
      else s.terminate();
    }
    await Promise.all([
      new Promise<void>((r) => (this.udp ? this.udp.close(() => r()) : r())),
      new Promise<void>((r) => (this.tcp ? this.tcp.close(() => r()) : r())),
      new Promise<void>((r) => (this.wss ? this.wss.close(() => r()) : r())),
      new Promise<void>((r) => (this.wsHttp ? this.wsHttp.close(() => r()) : r())),
    ]);
  }
}
