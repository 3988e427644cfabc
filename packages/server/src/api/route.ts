import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WriteContext } from '../db/writer.js';
import { Forbidden, Unauthorized } from '../errors.js';
import type { Actor } from '../events/changes.js';
import { can, type Permission } from '../security/roles.js';
import type { Principal } from '../security/tokens.js';
import type { Services } from './services.js';

/** `public`: no token; `authenticated`: any valid token; otherwise the named permission. */
export type Access = Permission | 'authenticated' | 'public';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    access?: Access;
  }
}

export const ErrorSchema = Type.Object(
  { code: Type.String(), message: Type.String(), details: Type.Array(Type.Object({ path: Type.String(), message: Type.String() })) },
  { $id: 'Error' },
);

type S<T> = T extends TSchema ? Static<T> : undefined;

export interface Ctx<B, P, Q> {
  req: FastifyRequest;
  body: S<B>;
  params: S<P>;
  query: S<Q>;
  actor: Actor;
  principal: Principal;
  /** Run `fn` in one serialized write transaction, acting as the caller. */
  write<T>(fn: (tx: WriteContext, actor: Actor) => Promise<T>): Promise<T>;
}

export interface RouteDef<B extends TSchema | undefined, P extends TSchema | undefined, Q extends TSchema | undefined> {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  access: Access;
  summary: string;
  tags: string[];
  body?: B;
  params?: P;
  querystring?: Q;
  response?: TSchema;
  /** Success status (default 200; 204 sends no body). */
  status?: number;
  bodyLimit?: number;
  handler(ctx: Ctx<B, P, Q>): Promise<unknown>;
}

export function actorOf(req: FastifyRequest): Actor {
  const u = req.principal?.user;
  return { userId: u?.id ?? null, name: u?.name ?? 'anonymous', role: u?.role ?? 'none', source: req.ip };
}

/** Authentication and least privilege, checked before anything else runs (also for WebSocket upgrades). */
export function installAuth(app: FastifyInstance, services: Services): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (req) => {
    const access = req.routeOptions.config?.access ?? 'public';
    if (access === 'public') return;
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw new Unauthorized();
    const principal = await services.tokens.authenticate(m[1]!);
    if (!principal) throw new Unauthorized('the token is invalid, expired or revoked');
    req.principal = principal;
    if (access !== 'authenticated' && !can(principal.user.role, access)) {
      throw new Forbidden(`role ${principal.user.role} may not do this (needs ${access})`);
    }
  });
}

export function addRoute<B extends TSchema | undefined, P extends TSchema | undefined, Q extends TSchema | undefined>(
  app: FastifyInstance,
  services: Services,
  def: RouteDef<B, P, Q>,
): void {
  const status = def.status ?? 200;
  app.route({
    method: def.method,
    url: def.url,
    config: { access: def.access },
    ...(def.bodyLimit ? { bodyLimit: def.bodyLimit } : {}),
    schema: {
      summary: def.summary,
      tags: def.tags,
      ...(def.access === 'public' ? {} : { security: [{ bearer: [] }] }),
      ...(def.body ? { body: def.body } : {}),
      ...(def.params ? { params: def.params } : {}),
      ...(def.querystring ? { querystring: def.querystring } : {}),
      response: {
        ...(status === 204 ? { 204: Type.Null({ description: 'done' }) } : def.response ? { [status]: def.response } : {}),
        '4xx': Type.Ref(ErrorSchema),
      },
    },
    handler: async (req, reply) => {
      const actor = actorOf(req);
      const result = await def.handler({
        req,
        body: req.body as S<B>,
        params: req.params as S<P>,
        query: req.query as S<Q>,
        actor,
        principal: req.principal!,
        write: (fn) => services.store.writer.run((tx) => fn(tx, actor)),
      });
      reply.status(status);
      return status === 204 ? reply.send() : result;
    },
  });
}
