/**
 * Domain errors. Every error the server raises on purpose is a HotlineError with a stable `code`.
 * The mapping to HTTP statuses lives here as data, but is applied only at the edge (api/), and the
 * CLI maps statuses to exit codes. Messages are for humans and never contain secrets.
 */
export type ErrorCode =
  | 'invalid_input'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'config_invalid'
  | 'database_unavailable'
  | 'internal';

export interface ErrorDetail {
  /** JSON pointer of the offending field, e.g. `/agents/0/extension`; empty for the whole input. */
  path: string;
  message: string;
}

export const httpStatusOf: Record<ErrorCode, number> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  config_invalid: 500,
  database_unavailable: 503,
  internal: 500,
};

export class HotlineError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidInput extends HotlineError {
  constructor(message: string, details: ErrorDetail[] = []) {
    super('invalid_input', message, details);
  }
}

export class NotFound extends HotlineError {
  constructor(kind: string, key: string | number) {
    super('not_found', `${kind} ${JSON.stringify(String(key))} does not exist`);
  }
}

export class Conflict extends HotlineError {
  constructor(message: string, details: ErrorDetail[] = []) {
    super('conflict', message, details);
  }
}

export class Forbidden extends HotlineError {
  constructor(message: string) {
    super('forbidden', message);
  }
}

export class Unauthorized extends HotlineError {
  constructor(message = 'a valid bearer token is required') {
    super('unauthorized', message);
  }
}

export class ConfigInvalid extends HotlineError {
  constructor(details: ErrorDetail[]) {
    super(
      'config_invalid',
      `configuration is invalid:\n${details.map((d) => `  - ${d.path}: ${d.message}`).join('\n')}`,
      details,
    );
  }
}

export class DatabaseUnavailable extends HotlineError {
  constructor(message: string) {
    super('database_unavailable', message);
  }
}
