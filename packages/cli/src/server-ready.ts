import type { Config } from '@hotline/server';
import { ExitCode } from './exit-codes.js';
import { renderRecord } from './output.js';

/** What `hotline server start` reports once every listener is bound. */
export interface Ready {
  version: string;
  url: string;
  listeners: Record<string, { host: string; port: number } | null>;
  /** Database URL with the password redacted. */
  db: string;
  dataDir: string;
  /** `<dataDir>/admin.token` when it exists. */
  tokenFile: string | null;
  /** True when this start created the first admin and its token file. */
  tokenCreated: boolean;
}

function hostPort(l: { host: string; port: number } | null | undefined): string {
  if (!l) return '(off)';
  return `${l.host.includes(':') ? `[${l.host}]` : l.host}:${l.port}`;
}

function tokenLine(r: Ready): string {
  if (!r.tokenFile) return '(no token file; the first admin token was created on an earlier start and its file removed)';
  if (r.tokenCreated) return `${r.tokenFile} (created now, mode 0600; run: hotline login --server ${r.url} --token-file ${r.tokenFile})`;
  return `${r.tokenFile} (from the first start)`;
}

/** The human block on stdout. The token itself is never printed, only where it is. */
export function readyBlock(r: Ready): string {
  const record = renderRecord([
    ['HTTP API', r.url],
    ['SIP UDP', hostPort(r.listeners['sipUdp'])],
    ['SIP TCP', hostPort(r.listeners['sipTcp'])],
    ['SIP WS', r.listeners['sipWs'] ? `ws://${hostPort(r.listeners['sipWs'])}` : '(off)'],
    // TLS and WSS only listen with a certificate (sip.tlsCert/sip.tlsKey): shown only then.
    ...(r.listeners['sipTls'] ? [['SIP TLS', hostPort(r.listeners['sipTls'])] as [string, string]] : []),
    ...(r.listeners['sipWss'] ? [['SIP WSS', `wss://${hostPort(r.listeners['sipWss'])}`] as [string, string]] : []),
    ['database', r.db],
    ['data dir', r.dataDir],
    ['admin token', tokenLine(r)],
  ]);
  const indented = record.split('\n').map((l) => `  ${l}`).join('\n');
  return `Hotline server ${r.version} ready\n${indented}\nStop with Ctrl-C (SIGINT) or SIGTERM.`;
}

/** The one JSON object printed with --json (one line). */
export function readyJson(r: Ready): object {
  return {
    status: 'ready',
    version: r.version,
    http: { url: r.url, ...r.listeners['http'] },
    sip: {
      udp: r.listeners['sipUdp'] ?? null, tcp: r.listeners['sipTcp'] ?? null, ws: r.listeners['sipWs'] ?? null,
      tls: r.listeners['sipTls'] ?? null, wss: r.listeners['sipWss'] ?? null,
    },
    db: r.db,
    dataDir: r.dataDir,
    tokenFile: r.tokenFile,
    tokenCreated: r.tokenCreated,
    pid: process.pid,
  };
}

/** Which setting a failed bind belongs to, by port. */
function whichListener(config: Config, port: number | undefined, syscall: string | undefined): { name: string; flag: string } {
  if (port === config.http.port) return { name: 'the HTTP API', flag: '--http-port / HOTLINE_HTTP_PORT' };
  if (port === config.sip.wsPort) return { name: 'SIP over WebSocket', flag: '--ws-port / HOTLINE_WS_PORT' };
  if (port === config.sip.port) return { name: syscall === 'bind' ? 'SIP UDP' : 'SIP TCP', flag: '--sip-port / HOTLINE_SIP_PORT' };
  return { name: 'a listener', flag: 'the port settings' };
}

/** A bind failure (port in use, no permission, address not local) as one clear line, or undefined. */
export function listenFailure(config: Config, err: unknown): { message: string; exit: number; reason: string } | undefined {
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  if (!e || typeof e !== 'object' || !['EADDRINUSE', 'EACCES', 'EADDRNOTAVAIL'].includes(e.code ?? '')) return undefined;
  const where = `${e.address ?? '?'}:${e.port ?? '?'}`;
  const { name, flag } = whichListener(config, e.port, e.syscall);
  if (e.code === 'EADDRINUSE') {
    return { message: `cannot listen on ${where} for ${name}: the port is already in use (choose another with ${flag})`, exit: ExitCode.conflict, reason: 'port_in_use' };
  }
  if (e.code === 'EACCES') {
    return { message: `cannot listen on ${where} for ${name}: permission denied (ports below 1024 need privileges; see ${flag})`, exit: ExitCode.error, reason: 'port_forbidden' };
  }
  return { message: `cannot listen on ${where} for ${name}: the address is not on this machine`, exit: ExitCode.invalid, reason: 'address_not_available' };
}
