import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config, RunningServer, createLogger } from '@hotline/server';
import { Flags } from '@oclif/core';
import { CliFailure, type HotlineCommand } from '../../base.js';
import { ExitCode } from '../../exit-codes.js';
import { PlainErrorsCommand } from '../../plain-errors.js';
import { listenFailure, readyBlock, readyJson, type Ready } from '../../server-ready.js';

type Logger = ReturnType<typeof createLogger>;

/** Flag name -> config key (config/schema.ts); env HOTLINE_* and the --config file apply underneath. */
const OVERRIDES = {
  'data-dir': 'dataDir',
  'db-url': 'db.url',
  'http-host': 'http.host',
  'http-port': 'http.port',
  'sip-host': 'sip.host',
  'sip-port': 'sip.port',
  'ws-port': 'sip.wsPort',
  'log-level': 'log.level',
} as const;

export default class ServerStart extends PlainErrorsCommand<typeof ServerStart> {
  static override description = `Run the Hotline server in this process until SIGTERM or SIGINT

Settings come from these flags, then HOTLINE_* environment variables, then the --config YAML file (or $HOTLINE_CONFIG), then defaults: data under ./data, SQLite, HTTP on 127.0.0.1:8080, SIP on 5060 (UDP and TCP) and SIP over WebSocket on 8088. Port 0 picks a free port.

stdout gets a short block saying where everything listens and where the admin token file is (the token itself is never printed); with --json, one JSON object on one line once ready. The log (pino, JSON lines) goes to stderr. SIGTERM or SIGINT drains (in-flight requests finish) and exits 0; a second signal exits at once.

Exit codes: 7 invalid configuration (every problem is listed), 3 database unreachable, 6 a port is already in use, 1 anything else.`;

  static override examples = [
    '<%= config.bin %> server start',
    '<%= config.bin %> server start --data-dir /var/lib/hotline --http-host 0.0.0.0',
    '<%= config.bin %> server start --db-url mysql://hotline:secret@db:3306/hotline --json',
  ];

  // The connection flags of other commands (--server/--token/--profile) mean nothing here.
  static override baseFlags = {} as typeof HotlineCommand.baseFlags;

  static override flags = {
    config: Flags.string({ description: 'YAML settings file [env: HOTLINE_CONFIG]' }),
    'data-dir': Flags.string({ description: 'data directory [env: HOTLINE_DATA_DIR] (default: ./data)' }),
    'db-url': Flags.string({ description: 'database URL: sqlite:<file> or mysql://user:pass@host:port/db [env: HOTLINE_DB_URL]' }),
    'http-host': Flags.string({ description: 'HTTP API address [env: HOTLINE_HTTP_HOST] (default: 127.0.0.1)' }),
    'http-port': Flags.string({ description: 'HTTP API port, 0 = any free port [env: HOTLINE_HTTP_PORT] (default: 8080)' }),
    'sip-host': Flags.string({ description: 'SIP address [env: HOTLINE_SIP_HOST] (default: 127.0.0.1)' }),
    'sip-port': Flags.string({ description: 'SIP UDP and TCP port [env: HOTLINE_SIP_PORT] (default: 5060)' }),
    'ws-port': Flags.string({ description: 'SIP over WebSocket port [env: HOTLINE_WS_PORT] (default: 8088)' }),
    'log-level': Flags.string({ description: 'fatal, error, warn, info, debug, trace or silent [env: HOTLINE_LOG_LEVEL] (default: info)' }),
  };

  async run(): Promise<void> {
    // Loaded here, not at the top: every other command would otherwise pay for the server's imports.
    const server = await import('@hotline/server');
    const config = this.loadConfig(server);
    const log = server.createLogger(config.log.level, process.stderr);
    // Listen for signals before anything can announce readiness: a supervisor that sends SIGTERM as
    // soon as it reads the ready line must get a drain, not the default (instant death).
    const signals = onStopSignal(log);
    let running: RunningServer;
    try {
      running = await server.startServer({ config, logger: log });
    } catch (err) {
      signals.dispose();
      throw this.startFailure(server, config, err);
    }
    if (!signals.received) this.announce(server, config, running);
    await signals.first;
    try {
      await running.stop();
    } finally {
      signals.dispose();
    }
    // If a handle still keeps the loop alive after the drain, do not hang: exit shortly after.
    setTimeout(() => process.exit(process.exitCode ?? 0), 2000).unref();
    this.log('Hotline server stopped.');
  }

  private announce(server: typeof import('@hotline/server'), config: Config, running: RunningServer): void {
    const tokenFile = join(config.dataDir, 'admin.token');
    const ready: Ready = {
      version: server.VERSION,
      url: running.url,
      listeners: running.listeners,
      db: server.redactUrl(config.db.url),
      dataDir: config.dataDir,
      tokenFile: existsSync(tokenFile) ? tokenFile : null,
      tokenCreated: running.tokenFile !== null,
    };
    if (this.jsonEnabled()) process.stdout.write(`${JSON.stringify(readyJson(ready))}\n`);
    else this.log(readyBlock(ready));
  }

  private loadConfig(server: typeof import('@hotline/server')): Config {
    const overrides: Record<string, string> = {};
    for (const [flag, key] of Object.entries(OVERRIDES)) {
      const value = this.flags[flag as keyof typeof OVERRIDES];
      if (value !== undefined) overrides[key] = value;
    }
    try {
      return server.loadConfig({ file: this.flags.config, overrides });
    } catch (err) {
      if (err instanceof server.ConfigInvalid) {
        throw new CliFailure(err.message, ExitCode.invalid, 'config_invalid', err.details);
      }
      throw err;
    }
  }

  private startFailure(server: typeof import('@hotline/server'), config: Config, err: unknown): unknown {
    if (err instanceof server.DatabaseUnavailable) return new CliFailure(err.message, ExitCode.unreachable, 'database_unavailable');
    if (err instanceof server.HotlineError) return new CliFailure(err.message, ExitCode.error, err.code, err.details);
    const listen = listenFailure(config, err);
    if (listen) return new CliFailure(listen.message, listen.exit, listen.reason);
    return err;
  }
}

/**
 * SIGTERM/SIGINT handling: `first` resolves on the first signal (the caller drains); a second signal
 * exits at once with 130.
 */
function onStopSignal(log: Logger): { first: Promise<NodeJS.Signals>; readonly received: NodeJS.Signals | undefined; dispose(): void } {
  let received: NodeJS.Signals | undefined;
  let resolveFirst!: (s: NodeJS.Signals) => void;
  const first = new Promise<NodeJS.Signals>((resolve) => (resolveFirst = resolve));
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) {
      process.stderr.write(`${signal} again: exiting without waiting for the drain\n`);
      process.exit(130);
    }
    received = signal;
    log.info({ signal }, 'stopping: draining in-flight requests');
    resolveFirst(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return {
    first,
    get received() {
      return received;
    },
    dispose: () => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    },
  };
}
