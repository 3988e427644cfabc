import type { FastifyError, FastifyInstance } from 'fastify';
import { HotlineError, httpStatusOf, type ErrorDetail } from '../errors.js';

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** ajv errors -> details with JSON-pointer paths (`/agents/0/extension`) and plain messages. */
export function detailsFromAjv(errors: AjvError[], context?: string): ErrorDetail[] {
  const prefix = context && context !== 'body' ? `${context}:` : '';
  const seen = new Set<string>();
  const out: ErrorDetail[] = [];
  for (const e of errors) {
    let path = e.instancePath;
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'additionalProperties') {
      path = `${path}/${String(e.params['additionalProperty'])}`;
      message = 'unknown field';
    } else if (e.keyword === 'required') {
      path = `${path}/${String(e.params['missingProperty'])}`;
      message = 'is required';
    } else if (e.keyword === 'enum' || (e.keyword === 'const' && e.params['allowedValue'] !== undefined)) {
      message = `must be one of ${JSON.stringify(e.params['allowedValues'] ?? [e.params['allowedValue']])}`;
    } else if (e.keyword === 'anyOf') {
      continue; // the branch errors that follow say more
    }
    const key = `${path}|${message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push({ path: prefix + path, message });
    }
  }
  // anyOf over literals produces one `const` error per literal; fold them into one line.
  const folded = new Map<string, ErrorDetail>();
  for (const d of out) {
    const prev = folded.get(d.path);
    if (prev && d.message.startsWith('must be equal to constant')) continue;
    folded.set(d.path, prev ?? d);
  }
  return [...folded.values()];
}

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
