/**
 * Turning ajv validation errors into the domain's ErrorDetail list. Shared by every layer that
 * validates input against a schema (center files, API requests), so it lives beside errors.ts.
 */
import type { ErrorDetail } from './errors.js';

export interface AjvError {
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
  // anyOf over literals produces one `const` error per literal: gather them into one message.
  const literals = new Map<string, unknown[]>();
  for (const e of errors) {
    let path = e.instancePath;
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'additionalProperties') {
      path = `${path}/${String(e.params['additionalProperty'])}`;
      message = 'unknown field';
    } else if (e.keyword === 'required') {
      path = `${path}/${String(e.params['missingProperty'])}`;
      message = 'is required';
    } else if (e.keyword === 'const' && e.params['allowedValue'] !== undefined) {
      literals.set(prefix + path, [...(literals.get(prefix + path) ?? []), e.params['allowedValue']]);
      message = 'must be one of';
    } else if (e.keyword === 'enum') {
      message = `must be one of ${JSON.stringify(e.params['allowedValues'])}`;
    } else if (e.keyword === 'anyOf') {
      continue; // the branch errors that follow say more
    }
    const key = `${path}|${message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push({ path: prefix + path, message });
    }
  }
  for (const d of out) if (d.message === 'must be one of') d.message = `must be one of ${JSON.stringify(literals.get(d.path))}`;
  // One line per path: the first problem found there.
  const folded = new Map<string, ErrorDetail>();
  for (const d of out) {
    const prev = folded.get(d.path);
    if (prev && d.message.startsWith('must be equal to constant')) continue;
    folded.set(d.path, prev ?? d);
  }
  return [...folded.values()];
}
