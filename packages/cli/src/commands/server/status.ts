import type { ServerStatus } from '@hotline/server/client';
import { PlainErrorsCommand } from '../../plain-errors.js';

function duration(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  return [d && `${d}d`, (d || h) && `${h}h`, (d || h || m) && `${m}m`, `${s}s`].filter(Boolean).join(' ');
}

const LISTENER_LABELS: Record<string, string> = { http: 'HTTP API', sipUdp: 'SIP UDP', sipTcp: 'SIP TCP', sipWs: 'SIP WS', sipTls: 'SIP TLS', sipWss: 'SIP WSS' };

export default class ServerStatusCommand extends PlainErrorsCommand<typeof ServerStatusCommand> {
  static override description = 'Show the server\'s version, uptime, database and listeners (GET /v1/status)';
  static override examples = ['<%= config.bin %> server status', '<%= config.bin %> server status --json'];

  async run(): Promise<ServerStatus> {
    const status = await this.client().status();
    this.record([
      ['version', status.version],
      ['node', status.node],
      ['started', status.startedAt],
      ['uptime', duration(status.uptimeSeconds)],
      ['database', `${status.db.dialect} ${status.db.url}`],
      ['data dir', status.dataDir],
      ...Object.entries(status.listeners).map(([name, l]): [string, unknown] => [
        LISTENER_LABELS[name] ?? name,
        l ? `${l.host.includes(':') ? `[${l.host}]` : l.host}:${l.port}` : '(off)',
      ]),
      ['event cursor', status.events.cursor],
    ]);
    return status;
  }
}
