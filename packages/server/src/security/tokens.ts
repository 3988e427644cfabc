import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { TokenRow, UserRow } from '../db/entities/index.js';
import type { WriteContext } from '../db/writer.js';
import { Forbidden, InvalidInput, NotFound } from '../errors.js';
import { recordChange, type Actor, type Store } from '../events/changes.js';
import type { NewToken, Token, TokenInput } from './schemas.js';

/**
 * API tokens look like `hlt_<publicId>_<secret>`: the public id finds the row, the SHA-256 of the whole
 * token is compared in constant time. Only the hash is stored; the token is shown once at creation.
 */
const TOKEN_RE = /^hlt_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function mintToken(): { token: string; publicId: string; hash: string } {
  const publicId = randomBytes(9).toString('base64url').replace(/[-_]/g, 'x').slice(0, 12);
  const token = `hlt_${publicId}_${randomBytes(32).toString('base64url')}`;
  return { token, publicId, hash: hashToken(token) };
}

export interface Principal {
  user: UserRow;
  tokenId: string;
}

export class Tokens {
  constructor(private readonly store: Store) {}

  private toDto(r: TokenRow, user: string): Token {
    return {
      id: r.publicId,
      name: r.name,
      user,
      createdAt: r.createdAt.toISOString(),
      expiresAt: r.expiresAt?.toISOString() ?? null,
      lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
      revokedAt: r.revokedAt?.toISOString() ?? null,
    };
  }

  /** The principal a bearer token stands for, or null when it is malformed, unknown, revoked or expired. */
  async authenticate(token: string): Promise<Principal | null> {
    const m = TOKEN_RE.exec(token);
    if (!m) return null;
    // Every API request comes here: the token and its user in one indexed statement (one round trip).
    // Nothing is cached, so a revoked token, a disabled user or a changed role takes effect on the very
    // next request, on every node sharing the database.
    const row = await this.store.ds.manager.createQueryBuilder(TokenRow, 't')
      .innerJoinAndMapOne('t.user', UserRow, 'u', 'u.id = t.userId')
      .where('t.publicId = :publicId AND t.revokedAt IS NULL', { publicId: m[1] })
      .getOne() as (TokenRow & { user: UserRow }) | null;
    if (!row) return null;
    const a = Buffer.from(row.hash, 'hex');
    const b = Buffer.from(hashToken(token), 'hex');
    if (a.length !== b.length || !timingSafeEqual(a, b)) return null;
    if (row.expiresAt && row.expiresAt.getTime() <= Date.now()) return null;
    const { user } = row;
    if (user.disabled) return null;
    // last_used_at is advisory (not audited, no event); written at most once a minute per token.
    if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
      await this.store.writer.run((tx) => tx.em.update(TokenRow, { id: row.id }, { lastUsedAt: new Date() }));
    }
    return { user, tokenId: row.publicId };
  }

  async list(em: EntityManager, user?: string): Promise<Token[]> {
    const users = await em.find(UserRow, { select: { id: true, name: true } });
    const names = new Map(users.map((u) => [u.id, u.name]));
    let where = {};
    if (user !== undefined) {
      const u = users.find((x) => x.name === user);
      if (!u) throw new NotFound('user', user);
      where = { userId: u.id };
    }
    const rows = await em.find(TokenRow, { where, order: { id: 'ASC' } });
    return rows.map((r) => this.toDto(r, names.get(r.userId) ?? '?'));
  }

  async create(tx: WriteContext, actor: Actor, input: TokenInput, mayActForOthers: boolean): Promise<NewToken> {
    const userName = input.user ?? actor.name;
    if (userName !== actor.name && !mayActForOthers) throw new Forbidden('only admins create tokens for other users');
    const user = await tx.em.findOne(UserRow, { where: { name: userName } });
    if (!user) throw new InvalidInput(`user ${JSON.stringify(userName)} does not exist`, [{ path: '/user', message: 'unknown user' }]);
    const minted = mintToken();
    const row = tx.em.create(TokenRow, {
      publicId: minted.publicId,
      userId: user.id,
      name: input.name,
      hash: minted.hash,
      createdAt: new Date(),
      expiresAt: input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null,
      lastUsedAt: null,
      revokedAt: null,
    });
    await tx.em.save(TokenRow, row);
    const dto = this.toDto(row, user.name);
    await recordChange(this.store.events, tx, actor, { type: 'token.created', subjectType: 'token', subjectId: row.publicId, after: dto });
    return { ...dto, token: minted.token };
  }

  async revoke(tx: WriteContext, actor: Actor, publicId: string, mayActForOthers: boolean): Promise<Token> {
    const row = await tx.em.findOne(TokenRow, { where: { publicId } });
    if (!row || (row.userId !== actor.userId && !mayActForOthers)) throw new NotFound('token', publicId);
    const user = await tx.em.findOneOrFail(UserRow, { where: { id: row.userId } });
    const before = this.toDto(row, user.name);
    if (!row.revokedAt) {
      row.revokedAt = new Date();
      await tx.em.save(TokenRow, row);
    }
    const after = this.toDto(row, user.name);
    await recordChange(this.store.events, tx, actor, { type: 'token.revoked', subjectType: 'token', subjectId: publicId, before, after });
    return after;
  }
}
