/**
 * Every setting of the server, as data: its env name, its key in the YAML file, its type, its default
 * and its description. The README's settings table is generated from this list
 * (scripts/settings-doc.mjs), so adding a setting here documents it.
 */
export type SettingType = 'string' | 'port' | 'host' | 'path' | 'url' | 'level' | 'integer';

export interface SettingSpec {
  /** Key in the typed Config object and dotted path in the YAML file. */
  key: string;
  env: string;
  type: SettingType;
  /** Default as text, or a function of the other settings (for derived defaults). */
  default: string | ((resolved: Record<string, string>) => string);
  /** How the default reads in the docs when it is derived. */
  defaultDoc?: string;
  description: string;
  secret?: boolean;
  min?: number;
  max?: number;
}

export const settings: SettingSpec[] = [
  {
    key: 'dataDir',
    env: 'HOTLINE_DATA_DIR',
    type: 'path',
    default: './data',
    description: 'Directory for the embedded database, the bootstrap admin token and other state.',
  },
  {
    key: 'db.url',
    env: 'HOTLINE_DB_URL',
    type: 'url',
    default: (r) => `sqlite:${r['dataDir']}/hotline.sqlite`,
    defaultDoc: 'sqlite:<dataDir>/hotline.sqlite',
    description:
      'Database URL: `sqlite:<file>` (embedded), or `mysql://user:pass@host:port/db` / `mariadb://...` (mysql2).',
    secret: true,
  },
  {
    key: 'http.host',
    env: 'HOTLINE_HTTP_HOST',
    type: 'host',
    default: '127.0.0.1',
    description: 'Address the HTTP API and WebSocket event stream listen on.',
  },
  {
    key: 'http.port',
    env: 'HOTLINE_HTTP_PORT',
    type: 'port',
    default: '8080',
    description: 'Port of the HTTP API; 0 picks a free port (reported in the log and `hotline server status`).',
  },
  {
    key: 'http.bodyLimit',
    env: 'HOTLINE_HTTP_BODY_LIMIT',
    type: 'integer',
    default: '4194304',
    min: 1024,
    max: 64 * 1024 * 1024,
    description: 'Largest accepted request body in bytes; larger requests get 413.',
  },
  {
    key: 'sip.host',
    env: 'HOTLINE_SIP_HOST',
    type: 'host',
    default: '127.0.0.1',
    description: 'Address the SIP UDP, TCP and WebSocket listeners bind to.',
  },
  {
    key: 'sip.port',
    env: 'HOTLINE_SIP_PORT',
    type: 'port',
    default: '5060',
    description: 'SIP port for UDP and TCP; 0 picks a free port.',
  },
  {
    key: 'sip.wsPort',
    env: 'HOTLINE_WS_PORT',
    type: 'port',
    default: '8088',
    description: 'SIP over WebSocket (RFC 7118) port; 0 picks a free port.',
  },
  {
    key: 'sip.realm',
    env: 'HOTLINE_SIP_REALM',
    type: 'string',
    default: 'hotline',
    description: 'Digest realm of SIP credentials. Changing it invalidates stored agent credentials.',
  },
  {
    key: 'log.level',
    env: 'HOTLINE_LOG_LEVEL',
    type: 'level',
    default: 'info',
    description: 'Log level: fatal, error, warn, info, debug, trace or silent.',
  },
  {
    key: 'shutdown.graceMs',
    env: 'HOTLINE_SHUTDOWN_GRACE_MS',
    type: 'integer',
    default: '10000',
    min: 0,
    max: 600000,
    description: 'How long SIGTERM waits for in-flight requests before closing connections.',
  },
];
