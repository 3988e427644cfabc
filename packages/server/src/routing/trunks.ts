import type { EntityManager } from 'typeorm';
import { sipHa1s } from '../crypto/digest.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { TrunkRow } from '../db/entities/index.js';
import type { WriteContext } from '../db/writer.js';
import { Conflict, InvalidInput, NotFound, type ErrorDetail } from '../errors.js';
import { recordChange, type Actor, type Store } from '../events/changes.js';
import { cidrProblem, isHost } from '../net.js';
import type { CallerIdRules, Trunk, TrunkInput, TrunkPatch, TrunkStatus } from './schemas.js';

/** Caller-id rules with empty fields dropped and keys in a stable order; null when nothing is left. */
export function normalizeCallerId(c: CallerIdRules | null | undefined): CallerIdRules | null {
  if (!c) return null;
  const out = Object.fromEntries((['stripPrefix', 'addPrefix', 'defaultCallerId'] as const).filter((k) => c[k] !== undefined).map((k) => [k, c[k]]));
  return Object.keys(out).length ? (out as CallerIdRules) : null;
}

function toDto(r: TrunkRow): Trunk {
  return {
    id: r.id,
    name: r.name,
    description: r.description ?? '',
    inboundCidrs: r.inboundCidrs ?? [],
    inboundUsername: r.inboundUsername,
    hasInboundCredentials: r.inboundHa1Sha256 !== null,
    host: r.host,
    port: r.port,
    transport: r.transport as Trunk['transport'],
    username: r.outboundUsername,
    hasOutboundCredentials: r.outboundSecret !== null,
    register: r.register,
    maxCalls: r.maxCalls,
    callerId: normalizeCallerId(r.callerId as CallerIdRules | null),
    enabled: r.enabled,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

/**
 * Carrier trunks: inbound by source network and/or digest (HA1 only, like agents), outbound host,
 * port, transport and credentials. The outbound password must be usable to authenticate to the
 * carrier, so it is sealed (AES-256-GCM, crypto/secret-box.ts), never hashed, and never leaves the
 * server: DTOs, audit rows and events say only `hasOutboundCredentials`.
 */
export class Trunks {
  /** This node's runtime view of a trunk (keepalive, registration: trunk-runtime.ts); set by main.ts. */
  status?: (name: string) => TrunkStatus;

  constructor(
    private readonly store: Store,
    private readonly realm: string,
    private readonly secrets: SecretBox,
  ) {}

  async list(em: EntityManager = this.store.ds.manager): Promise<Trunk[]> {
    return (await em.find(TrunkRow, { order: { name: 'ASC' } })).map(toDto);
  }

  /** The list with each trunk's runtime status (API answers; audit rows and events never carry it). */
  async listWithStatus(): Promise<Trunk[]> {
    return (await this.list()).map((t) => this.withStatus(t));
  }

  async getWithStatus(name: string): Promise<Trunk> {
    return this.withStatus(await this.get(name));
  }

  /** `t` with its runtime status (when main.ts wired one). */
  withStatus(t: Trunk): Trunk {
    if (!this.status) return t;
    return { ...t, status: t.enabled ? this.status(t.name) : { state: 'off', lastSeen: null, registration: 'off', registrationExpires: null } };
  }

  async row(name: string, em: EntityManager = this.store.ds.manager): Promise<TrunkRow> {
    const row = await em.findOne(TrunkRow, { where: { name } });
    if (!row) throw new NotFound('trunk', name);
    return row;
  }

  async get(name: string, em: EntityManager = this.store.ds.manager): Promise<Trunk> {
    return toDto(await this.row(name, em));
  }

  /** Whether `password` is the trunk's inbound digest password (apply compares by HA1 to stay idempotent). */
  async inboundPasswordMatches(name: string, username: string, password: string, em: EntityManager): Promise<boolean> {
    const row = await this.row(name, em);
    return row.inboundUsername === username && row.inboundHa1Sha256 === sipHa1s(username, this.realm, password).sipHa1Sha256;
  }

  /** Whether `password` is the trunk's outbound password (compared after decrypting). */
  async outboundPasswordMatches(name: string, password: string, em: EntityManager): Promise<boolean> {
    const row = await this.row(name, em);
    if (row.outboundSecret === null) return false;
    try {
      return this.secrets.open(row.outboundSecret) === password;
    } catch {
      return false;
    }
  }

  /** Apply the given fields to the row, validating what the schema cannot (CIDRs, host, credential pairs). */
  private apply(row: TrunkRow, p: TrunkPatch): void {
    const problems: ErrorDetail[] = [];
    p.inboundCidrs?.forEach((c, i) => {
      const problem = cidrProblem(c);
      if (problem) problems.push({ path: `/inboundCidrs/${i}`, message: `${JSON.stringify(c)}: ${problem}` });
    });
    if (p.host !== undefined && !isHost(p.host)) problems.push({ path: '/host', message: 'not a host name or IP address' });
    // Agent extensions are digits only: a trunk user name with a non-digit can never be mistaken for one
    // (agents and digest trunks share the INVITE challenge; calls/trunk-calls.ts `isExtension`).
    if (typeof p.inboundUsername === 'string' && /^[0-9]+$/.test(p.inboundUsername)) {
      problems.push({ path: '/inboundUsername', message: 'must contain a non-digit (digits-only names are agent extensions)' });
    }
    if (problems.length) throw new InvalidInput(problems.map((d) => `${d.path}: ${d.message}`).join('; '), problems);

    if (p.description !== undefined) row.description = p.description;
    if (p.inboundCidrs !== undefined) row.inboundCidrs = [...new Set(p.inboundCidrs)];
    this.applyInbound(row, p);
    if (p.host !== undefined) row.host = p.host;
    if (p.port !== undefined) row.port = p.port;
    if (p.transport !== undefined) row.transport = p.transport;
    this.applyOutbound(row, p);
    if (p.register !== undefined) row.register = p.register;
    if (p.maxCalls !== undefined) row.maxCalls = p.maxCalls;
    if (p.callerId !== undefined) row.callerId = normalizeCallerId(p.callerId);
    if (p.enabled !== undefined) row.enabled = p.enabled;
    if (row.inboundCidrs.length === 0 && row.inboundHa1Sha256 === null) {
      throw new InvalidInput('a trunk needs inbound allowed sources (inboundCidrs), digest credentials (inboundUsername + inboundPassword), or both', [
        { path: '/inboundCidrs', message: 'give allowed sources or digest credentials' },
      ]);
    }
  }

  /** The HA1 depends on the user name: a new user name needs the password again. */
  private applyInbound(row: TrunkRow, p: TrunkPatch): void {
    if (p.inboundUsername === null) {
      if (p.inboundPassword !== undefined) throw new InvalidInput('inboundPassword needs an inboundUsername', [{ path: '/inboundPassword', message: 'needs inboundUsername' }]);
      Object.assign(row, { inboundUsername: null, inboundHa1Md5: null, inboundHa1Sha256: null });
      return;
    }
    const username = p.inboundUsername ?? row.inboundUsername;
    if (p.inboundPassword === undefined) {
      if (p.inboundUsername !== undefined && p.inboundUsername !== row.inboundUsername) {
        throw new InvalidInput('a new inboundUsername needs its inboundPassword', [{ path: '/inboundPassword', message: 'required with a new inboundUsername' }]);
      }
      return;
    }
    if (!username) throw new InvalidInput('inboundPassword needs an inboundUsername', [{ path: '/inboundUsername', message: 'required with inboundPassword' }]);
    const h = sipHa1s(username, this.realm, p.inboundPassword);
    Object.assign(row, { inboundUsername: username, inboundHa1Md5: h.sipHa1Md5, inboundHa1Sha256: h.sipHa1Sha256 });
  }

  private applyOutbound(row: TrunkRow, p: TrunkPatch): void {
    if (p.username === null) {
      if (p.password !== undefined) throw new InvalidInput('password needs a username', [{ path: '/password', message: 'needs username' }]);
      Object.assign(row, { outboundUsername: null, outboundSecret: null });
      return;
    }
    if (p.username !== undefined) row.outboundUsername = p.username;
    if (p.password !== undefined) {
      if (!row.outboundUsername) throw new InvalidInput('password needs a username', [{ path: '/username', message: 'required with password' }]);
      row.outboundSecret = this.secrets.seal(p.password);
    }
  }

  /** Audit and events see that credentials changed, never the values. */
  private changed(p: TrunkPatch): Record<string, boolean> {
    return {
      ...(p.inboundPassword !== undefined ? { inboundCredentialsChanged: true } : {}),
      ...(p.password !== undefined ? { outboundCredentialsChanged: true } : {}),
    };
  }

  /** Inbound digest user names are unique among trunks (the user name picks the trunk, call-routes.ts). */
  private async checkUsername(em: EntityManager, name: string, username: string | null | undefined): Promise<void> {
    if (!username) return;
    const other = await em.findOne(TrunkRow, { where: { inboundUsername: username } });
    if (other && other.name !== name) {
      throw new Conflict(`trunk ${JSON.stringify(other.name)} already uses inbound user name ${JSON.stringify(username)}`, [
        { path: '/inboundUsername', message: 'already in use' },
      ]);
    }
  }

  async create(tx: WriteContext, actor: Actor, input: TrunkInput): Promise<Trunk> {
    if (await tx.em.findOne(TrunkRow, { where: { name: input.name } })) {
      throw new Conflict(`a trunk named ${JSON.stringify(input.name)} already exists`, [{ path: '/name', message: 'already in use' }]);
    }
    await this.checkUsername(tx.em, input.name, input.inboundUsername);
    const now = new Date();
    const row = tx.em.create(TrunkRow, {
      name: input.name, description: '', inboundCidrs: [], inboundUsername: null, inboundHa1Md5: null, inboundHa1Sha256: null,
      host: input.host, port: 5060, transport: 'udp', outboundUsername: null, outboundSecret: null, register: false,
      maxCalls: 0, callerId: null, enabled: true, createdAt: now, updatedAt: now,
    });
    this.apply(row, input);
    await tx.em.save(TrunkRow, row);
    const after = toDto(row);
    await recordChange(this.store.events, tx, actor, { type: 'trunk.created', subjectType: 'trunk', subjectId: row.name, after });
    return after;
  }

  async update(tx: WriteContext, actor: Actor, name: string, patch: TrunkPatch): Promise<Trunk> {
    const row = await this.row(name, tx.em);
    const before = toDto(row);
    await this.checkUsername(tx.em, name, patch.inboundUsername);
    this.apply(row, patch);
    row.updatedAt = new Date();
    await tx.em.save(TrunkRow, row);
    const after = toDto(row);
    await recordChange(this.store.events, tx, actor, { type: 'trunk.updated', subjectType: 'trunk', subjectId: name, before, after: { ...after, ...this.changed(patch) } });
    return after;
  }

  async delete(tx: WriteContext, actor: Actor, name: string): Promise<void> {
    const row = await this.row(name, tx.em);
    await tx.em.delete(TrunkRow, { id: row.id });
    await recordChange(this.store.events, tx, actor, { type: 'trunk.deleted', subjectType: 'trunk', subjectId: name, before: toDto(row) });
  }
}
