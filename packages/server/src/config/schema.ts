/**
 * Every setting of the server, as data: its env name, its key in the YAML file, its type, its default
 * and its description. The README's settings table is generated from this list
 * (scripts/settings-doc.mjs), so adding a setting here documents it.
 */
export type SettingType = 'string' | 'port' | 'host' | 'path' | 'optionalPath' | 'url' | 'level' | 'integer' | 'cidrs' | 'servers' | 'boolean' | 'roles';

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
    key: 'sip.tlsPort',
    env: 'HOTLINE_SIP_TLS_PORT',
    type: 'port',
    default: '5061',
    description: 'SIP over TLS (RFC 3261 §26.2.1) port; listens only when `sip.tlsCert` and `sip.tlsKey` are set. 0 picks a free port.',
  },
  {
    key: 'sip.wssPort',
    env: 'HOTLINE_SIP_WSS_PORT',
    type: 'port',
    default: '8089',
    description: 'SIP over secure WebSocket (RFC 7118, wss) port; listens only when `sip.tlsCert` and `sip.tlsKey` are set. 0 picks a free port.',
  },
  {
    key: 'sip.tlsCert',
    env: 'HOTLINE_SIP_TLS_CERT',
    type: 'optionalPath',
    default: '',
    defaultDoc: '(none)',
    description:
      'PEM certificate (chain) of the SIP TLS and WSS listeners. Set together with `sip.tlsKey`; a file that cannot be read or parsed stops the start with an error. Empty: no TLS/WSS.',
  },
  {
    key: 'sip.tlsKey',
    env: 'HOTLINE_SIP_TLS_KEY',
    type: 'optionalPath',
    default: '',
    defaultDoc: '(none)',
    description: 'PEM private key of `sip.tlsCert` (unencrypted). Set together with `sip.tlsCert`.',
    secret: true,
  },
  {
    key: 'sip.realm',
    env: 'HOTLINE_SIP_REALM',
    type: 'string',
    default: 'hotline',
    description: 'Digest realm of SIP credentials. Changing it invalidates stored agent credentials.',
  },
  {
    key: 'sip.maxCallsPerAgent',
    env: 'HOTLINE_SIP_MAX_CALLS_PER_AGENT',
    type: 'integer',
    default: '2',
    min: 0,
    max: 1000000,
    description:
      'Concurrent calls one agent may be in (as caller or callee); one more gets 486 Busy Here. 0 = unlimited.',
  },
  {
    key: 'sip.egressNetworks',
    env: 'HOTLINE_SIP_EGRESS_NETWORKS',
    type: 'cidrs',
    default: '',
    defaultDoc: '(none)',
    description:
      'Comma-separated networks (CIDR or address) SIP may always be sent to, besides trunks and registered contacts (for example `10.0.0.0/8,192.0.2.10`). Empty: none.',
  },
  {
    key: 'sip.dnsServers',
    env: 'HOTLINE_SIP_DNS_SERVERS',
    type: 'servers',
    default: '',
    defaultDoc: '(system resolver)',
    description:
      'Comma-separated DNS servers (`address` or `address:port`, IPv6 as `[addr]:port`) used to resolve trunk host names. Empty: the system resolver.',
  },
  {
    key: 'sip.trunkKeepaliveSeconds',
    env: 'HOTLINE_SIP_TRUNK_KEEPALIVE_SECONDS',
    type: 'integer',
    default: '30',
    min: 0,
    max: 86400,
    description:
      'Interval of the OPTIONS keepalive (RFC 3261 §11) sent to every enabled trunk; a timeout or 503 marks the trunk down, any other answer up. 0 = off.',
  },
  {
    key: 'sip.trunkRegistration',
    env: 'HOTLINE_SIP_TRUNK_REGISTRATION',
    type: 'boolean',
    default: 'true',
    description:
      'Register at carriers whose trunk has `register` and outbound credentials (refreshed at 90% of the granted expires, unregistered at shutdown). `false` turns outbound registration off for the whole server.',
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
  {
    key: 'crm.defaultRegion',
    env: 'HOTLINE_CRM_DEFAULT_REGION',
    type: 'string',
    default: 'US',
    description:
      'Country (ISO 3166-1 alpha-2, e.g. `US`, `DE`, `GB`) whose national format customer phone numbers without `+` or `00` are read in; every number is stored in E.164.',
  },
  {
    key: 'crm.vipPriority',
    env: 'HOTLINE_CRM_VIP_PRIORITY',
    type: 'string',
    default: '0:0,1:20,2:40,3:60,4:80,5:100',
    description:
      'Queue priority (0-100, the scale of queue priorities; higher is served first) of a caller per customer VIP level 0-5, as `level:priority` pairs for all six levels; used by the ACD through `GET /v1/customers/personalization`.',
  },
  {
    key: 'privacy.maskPhonesFor',
    env: 'HOTLINE_PRIVACY_MASK_PHONES_FOR',
    type: 'roles',
    default: '',
    defaultDoc: '(none)',
    description:
      'Comma-separated roles (admin, supervisor, agent, auditor) that see phone numbers masked (`+1415•••0100`) in customer and call record responses; lookups still take full numbers. Empty: nobody.',
  },
  {
    key: 'retention.callDays',
    env: 'HOTLINE_RETENTION_CALL_DAYS',
    type: 'integer',
    default: '0',
    min: 0,
    max: 36500,
    description: 'Days call records (with their legs) are kept after the call ended; a daily job deletes older ones. 0 = forever.',
  },
  {
    key: 'retention.eventDays',
    env: 'HOTLINE_RETENTION_EVENT_DAYS',
    type: 'integer',
    default: '0',
    min: 0,
    max: 36500,
    description: 'Days events of the event log are kept; a daily job deletes older ones. 0 = forever. The audit log has its own setting (`retention.auditDays`).',
  },
  {
    key: 'retention.auditDays',
    env: 'HOTLINE_RETENTION_AUDIT_DAYS',
    type: 'integer',
    default: '0',
    min: 0,
    max: 36500,
    description: 'Days audit records are kept; a daily job deletes older ones. 0 = forever.',
  },
  {
    key: 'retention.ticketDays',
    env: 'HOTLINE_RETENTION_TICKET_DAYS',
    type: 'integer',
    default: '0',
    min: 0,
    max: 36500,
    description:
      'Days closed tickets are kept after their last change (the ticket, its newest comment or history entry); a daily job deletes older ones with their comments, history, SLA clocks and attachments. 0 = forever.',
  },
];
