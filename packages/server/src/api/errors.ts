import type { FastifyError, FastifyInstance } from 'fastify';
import { HotlineError, httpStatusOf, type ErrorDetail } from '../errors.js';
import { detailsFromAjv, type AjvError } from '../validation.js';

export function errorBody(code: string, message: string, details: ErrorDetail[] = []) {
  return { code, message, details };
}

/** One error shape for every failure: `{code, message, details}` with the matching status. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError & { validationContext?: string }, req, reply) => {
    if (err instanceof HotlineError) {
      if (err.code === 'unauthorized') void reply.header('www-authenticate', 'Bearer');
      return reply.status(httpStatusOf[err.code]).send(errorBody(err.code, err.message, err.details));
    }
    if (err.validation) {
      const details = detailsFromAjv(err.validation as AjvError[], err.validationContext);
      const summary = details.map((d) => `${d.path || '/'} ${d.message}`).join('; ');
      return reply.status(400).send(errorBody('invalid_input', `invalid input: ${summary}`, details));
    }
    if (err.statusCode === 413) return reply.status(413).send(errorBody('payload_too_large', 'request body is too large'));
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.status(err.statusCode).send(errorBody('invalid_input', err.message));
    }
    req.log.error({ err: { message: err.message, stack: err.stack } }, 'unhandled error');
    return reply.status(500).send(errorBody('internal', 'internal error; see the server log'));
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send(errorBody('not_found', `no route ${req.method} ${req.url.split('?')[0]}`));
  });
}
