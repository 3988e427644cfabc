import swagger from '@fastify/swagger';
import websocket from '@fastify/websocket';
import { Ajv } from 'ajv';
import Fastify, {
  LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest,
} from 'fastify';
import type { Logger } from 'pino';
import { errorBody, installErrorHandling } from './errors.js';
import { installPhoneMasking } from './masking.js';
import { ErrorSchema, installAuth } from './route.js';
import { registerAgentRoutes, registerQueueRoutes } from './routes/acd.js';
import { registerCallbackRoutes } from './routes/callbacks.js';
import { registerCallRoutes } from './routes/calls.js';
import { registerCatalogRoutes } from './routes/catalogs.js';
import { registerCustomerRoutes } from './routes/customers.js';
import { registerEventRoutes } from './routes/events.js';
import { registerKbRoutes } from './routes/kb.js';
import { registerRegistrationRoutes } from './routes/registrations.js';
import { registerNumberRoutes, registerTrunkRoutes } from './routes/routing.js';
import { registerSecurityRoutes } from './routes/security.js';
import { registerSecurityBanRoutes } from './routes/security-bans.js';
import { registerStatusRoutes } from './routes/status.js';
import { registerRuleRoutes } from './routes/rules.js';
import { registerTicketRoutes } from './routes/tickets.js';
import type { Services } from './services.js';

export type RouteRegistrar = (app: FastifyInstance, s: Services) => void;

/**
 * Bodies are validated strictly: unknown fields and wrong types are rejected, nothing is coerced or
 * silently dropped. Query strings and path parameters are coerced from text (`?after=5`).
 */
function validators() {
  const common = { allErrors: true, removeAdditional: false, useDefaults: false, strict: false } as const;
  const body = new Ajv({ ...common, coerceTypes: false });
  const text = new Ajv({ ...common, coerceTypes: 'array' });
  return ({ schema, httpPart }: { schema: object; httpPart?: string }) => (httpPart === 'body' ? body : text).compile(schema);
}

export async function buildApi(services: Services, logger: Logger, extra: RouteRegistrar[] = []): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: logger.child({ component: 'api' }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: services.config.http.bodyLimit,
    // Requests that are in flight finish on close; idle keep-alive sockets are closed at once.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    // Errors raised before routing (a URL that is not valid percent-encoding) get the one error shape too.
    frameworkErrors: (err: FastifyError, _req: FastifyRequest, reply: FastifyReply) =>
      void reply.status(400).send(errorBody('invalid_input', err.message)),
    ajv: { customOptions: { allErrors: true } },
  });
  app.setValidatorCompiler(validators());
  // Requests in flight when close() starts finish, but their keep-alive sockets would then sit idle
  // and hold the drain up for keepAliveTimeout: during a drain, responses close their connection.
  let draining = false;
  app.addHook('preClose', async () => {
    draining = true;
  });
  app.addHook('onSend', async (_req, reply) => {
    if (draining) void reply.header('connection', 'close');
  });
  app.addHook('onResponse', async (req, reply) => {
    req.log.debug({ method: req.method, url: req.url.split('?')[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });
  app.addSchema(ErrorSchema);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Hotline API', version: services.version, description: 'Every route lives under /v1 and takes a bearer token.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  installErrorHandling(app);
  installAuth(app, services);
  installPhoneMasking(app, services);
  for (const register of [
    registerStatusRoutes, registerSecurityRoutes, registerAgentRoutes, registerQueueRoutes, registerCatalogRoutes, registerEventRoutes, registerRegistrationRoutes,
    registerTrunkRoutes, registerNumberRoutes, registerSecurityBanRoutes, registerCallRoutes,
    registerCustomerRoutes,
    registerKbRoutes,
    registerTicketRoutes,
    registerRuleRoutes,
    registerCallbackRoutes,
    ...extra,
  ]) {
    register(app, services);
  }
  app.get('/v1/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());
  return app;
}
