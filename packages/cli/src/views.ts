/**
 * How each resource looks to a human: table columns for lists and `key: value` records for one
 * object. list/show/create/update of a topic share these, so the output contract lives in one place.
 */
import type {
  AddressBan, Agent, AuditEntry, CallInfo, DialNumber, HotlineEvent, Member, Queue, Registration, Token, Trunk, User,
} from '@hotline/server/client';
import type { Column } from './output.js';

export type Pairs = Array<[string, unknown]>;

export const agentColumns: Column<Agent>[] = [
  { header: 'extension', get: (a) => a.extension },
  { header: 'name', get: (a) => a.name },
  { header: 'user', get: (a) => a.user },
  { header: 'skills', get: (a) => a.skills },
  { header: 'max chats', get: (a) => a.maxChats },
  { header: 'sip', get: (a) => (a.hasSipCredentials ? 'yes' : 'no') },
];

/** With `sipPassword` (create/update with a generated password) it shows that once, last. */
export const agentRecord = (a: Agent & { sipPassword?: string }): Pairs => [
  ['extension', a.extension],
  ['name', a.name],
  ['user', a.user],
  ['skills', a.skills],
  ['max chats', a.maxChats],
  ['sip', a.hasSipCredentials ? 'yes' : 'no'],
  ['created', a.createdAt],
  ['updated', a.updatedAt],
  ...(a.sipPassword ? [['sip password', a.sipPassword] as [string, unknown]] : []),
];

export const queueColumns: Column<Queue>[] = [
  { header: 'name', get: (q) => q.name },
  { header: 'strategy', get: (q) => q.strategy },
  { header: 'members', get: (q) => q.members.length },
  { header: 'sl seconds', get: (q) => q.settings.serviceLevelSeconds },
  { header: 'priority', get: (q) => q.settings.priority },
];

export const queueRecord = (q: Queue): Pairs => [
  ['name', q.name],
  ['strategy', q.strategy],
  ...Object.entries(q.settings).map(([k, v]): [string, unknown] => [k, v]),
  ['members', q.members.length],
  ['created', q.createdAt],
  ['updated', q.updatedAt],
];

export const memberColumns: Column<Member>[] = [
  { header: 'agent', get: (m) => m.agent },
  { header: 'name', get: (m) => m.name },
  { header: 'penalty', get: (m) => m.penalty },
  { header: 'level', get: (m) => m.level },
];

const trunkInbound = (t: Trunk): string =>
  [t.inboundCidrs.length ? `ip (${t.inboundCidrs.length})` : '', t.hasInboundCredentials ? 'digest' : ''].filter(Boolean).join('+') || 'none';

/** Outbound registration: `no`, else the runtime state (`yes (off)` while registration is not running). */
const trunkRegister = (t: Trunk): string => {
  if (!t.register) return 'no';
  const r = t.status?.registration ?? 'off';
  return r === 'off' ? 'yes (off)' : r;
};

/** `disabled`, else the keepalive state (up, down, unknown), or `enabled` when the keepalive is off. */
const trunkStatus = (t: Trunk): string => {
  if (!t.enabled) return 'disabled';
  const s = t.status?.state ?? 'off';
  return s === 'off' ? 'enabled' : s;
};

export const trunkColumns: Column<Trunk>[] = [
  { header: 'name', get: (t) => t.name },
  { header: 'host', get: (t) => `${t.host}:${t.port}` },
  { header: 'transport', get: (t) => t.transport },
  { header: 'inbound', get: trunkInbound },
  { header: 'register', get: trunkRegister },
  { header: 'max calls', get: (t) => t.maxCalls || 'unlimited' },
  { header: 'status', get: trunkStatus },
];

/** Passwords are never shown (the server never returns them): only whether credentials are set. */
export const trunkRecord = (t: Trunk): Pairs => [
  ['name', t.name],
  ['description', t.description || null],
  ['inbound cidrs', t.inboundCidrs.length ? t.inboundCidrs.join(', ') : null],
  ['inbound username', t.inboundUsername],
  ['inbound digest', t.hasInboundCredentials ? 'yes' : 'no'],
  ['host', t.host],
  ['port', t.port],
  ['transport', t.transport],
  ['username', t.username],
  ['outbound credentials', t.hasOutboundCredentials ? 'yes' : 'no'],
  ['register', trunkRegister(t)],
  ['registration expires', t.status?.registrationExpires ?? null],
  ['max calls', t.maxCalls || 'unlimited'],
  ['caller id', t.callerId],
  ['status', trunkStatus(t)],
  ['last seen', t.status?.lastSeen ?? null],
  ['created', t.createdAt],
  ['updated', t.updatedAt],
];

export const numberColumns: Column<DialNumber>[] = [
  { header: 'number', get: (n) => n.number },
  { header: 'target', get: (n) => n.target },
  { header: 'description', get: (n) => n.description || null },
];

export const numberRecord = (n: DialNumber): Pairs => [
  ['number', n.number],
  ['target', n.target],
  ['description', n.description || null],
  ['created', n.createdAt],
  ['updated', n.updatedAt],
];

export const userColumns: Column<User>[] = [
  { header: 'name', get: (u) => u.name },
  { header: 'display name', get: (u) => u.displayName || null },
  { header: 'role', get: (u) => u.role },
  { header: 'status', get: (u) => (u.disabled ? 'disabled' : 'enabled') },
];

export const userRecord = (u: User): Pairs => [
  ['name', u.name],
  ['display name', u.displayName || null],
  ['role', u.role],
  ['status', u.disabled ? 'disabled' : 'enabled'],
  ['created', u.createdAt],
  ['updated', u.updatedAt],
];

const tokenStatus = (t: Token): string =>
  t.revokedAt ? 'revoked' : t.expiresAt && Date.parse(t.expiresAt) <= Date.now() ? 'expired' : 'active';

export const tokenColumns: Column<Token>[] = [
  { header: 'id', get: (t) => t.id },
  { header: 'name', get: (t) => t.name },
  { header: 'user', get: (t) => t.user },
  { header: 'status', get: tokenStatus },
  { header: 'created', get: (t) => t.createdAt },
  { header: 'expires', get: (t) => t.expiresAt },
  { header: 'last used', get: (t) => t.lastUsedAt },
];

export const auditColumns: Column<AuditEntry>[] = [
  { header: 'id', get: (a) => a.id },
  { header: 'at', get: (a) => a.at },
  { header: 'actor', get: (a) => a.actor },
  { header: 'action', get: (a) => a.action },
  { header: 'subject', get: (a) => `${a.subjectType}/${a.subjectId}` },
  { header: 'source', get: (a) => a.source },
];

const eventBy = (e: HotlineEvent): unknown => e.payload['by'];
const eventSubject = (e: HotlineEvent): string => `${e.subjectType}/${e.subjectId}`;

export const eventColumns: Column<HotlineEvent>[] = [
  { header: 'cursor', get: (e) => e.cursor },
  { header: 'time', get: (e) => e.at },
  { header: 'type', get: (e) => e.type },
  { header: 'subject', get: eventSubject },
  { header: 'by', get: eventBy },
];

/** One event as one line for `events tail --follow` (the table's columns, unaligned). */
export const eventLine = (e: HotlineEvent): string => [e.cursor, e.at, e.type, eventSubject(e), eventBy(e) ?? '-'].join('  ');

/** Seconds left until `iso`, as `59m58s` / `42s` (never negative). */
export function expiresIn(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((Date.parse(iso) - now) / 1000));
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

export const registrationColumns: Column<Registration>[] = [
  { header: 'extension', get: (r) => r.extension },
  { header: 'contact', get: (r) => r.contact },
  { header: 'transport', get: (r) => r.transport },
  { header: 'source', get: (r) => r.source },
  { header: 'expires in', get: (r) => expiresIn(r.expiresAt) },
  { header: 'user agent', get: (r) => r.userAgent },
];

export const banColumns: Column<AddressBan>[] = [
  { header: 'address', get: (b) => b.address },
  { header: 'until', get: (b) => b.until },
  { header: 'failures', get: (b) => b.failures },
];

export const callColumns: Column<CallInfo>[] = [
  { header: 'id', get: (c) => c.id },
  { header: 'from', get: (c) => c.from },
  { header: 'to', get: (c) => c.to },
  { header: 'state', get: (c) => c.state },
  { header: 'started', get: (c) => c.startedAt },
  { header: 'hangup by', get: (c) => c.hangupBy },
  { header: 'status', get: (c) => c.status },
];

export const callRecord = (c: CallInfo): Pairs => [
  ['id', c.id],
  ['from', c.from],
  ['to', c.to],
  ['direction', c.direction],
  ['state', c.state],
  ['started', c.startedAt],
  ['ringing', c.ringingAt],
  ['answered', c.answeredAt],
  ['ended', c.endedAt],
  ['hangup by', c.hangupBy],
  ['status', c.status === null ? null : `${c.status}${c.reason ? ` ${c.reason}` : ''}`],
  ['legs', c.legs.length ? c.legs.map((l) => `${l.contact} (${l.transport}) ${l.state}${l.status === null ? '' : ` ${l.status}`}`).join(', ') : null],
];
