/**
 * Exit codes of `hotline`: a contract for scripts (documented in docs/cli.md, pinned by tests).
 */
export const ExitCode = {
  ok: 0,
  /** Unexpected failure (a bug, or an error the CLI cannot classify). */
  error: 1,
  /** Bad command line: unknown command or flag, missing argument (oclif's own code). */
  usage: 2,
  /** The server could not be reached. */
  unreachable: 3,
  /** No token, or the token is invalid (401), or the role may not do this (403). */
  auth: 4,
  /** The object does not exist (404). */
  notFound: 5,
  /** The object already exists or the change conflicts with state (409). */
  conflict: 6,
  /** The input is invalid: bad YAML, unknown field, wrong type (400/413). */
  invalid: 7,
  /** The server failed (5xx). */
  server: 8,
  /** `calls originate --wait`: the call ended without being answered, or was not answered before --timeout. */
  notAnswered: 9,
  /** `plan --detailed-exitcode`: the plan has changes. */
  planHasChanges: 10,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export function exitCodeForStatus(status: number): ExitCode {
  if (status === 401 || status === 403) return ExitCode.auth;
  if (status === 404) return ExitCode.notFound;
  if (status === 409) return ExitCode.conflict;
  if (status === 400 || status === 413 || status === 422) return ExitCode.invalid;
  if (status >= 500) return ExitCode.server;
  return ExitCode.error;
}
