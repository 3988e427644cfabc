import { readFileSync } from 'node:fs';
import { ApiError } from '@hotline/server/client';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { CliFailure } from './base.js';
import { ExitCode } from './exit-codes.js';

/**
 * The center file on the CLI side (`hotline plan/apply -f center.yaml`): read and parse the YAML
 * locally (syntax errors never reach the server), and map the server's validation errors, which carry
 * JSON pointers such as `/agents/0/extension`, back to `file:line:column` in the YAML.
 */
export interface CenterSource {
  /** The path as the user wrote it, used in messages. */
  path: string;
  doc: Document.Parsed;
  lines: LineCounter;
  data: unknown;
}

/** One problem located in the file: `center.yaml:12:7: /agents/0/extension: must match pattern ...`. */
export interface LocatedProblem {
  path: string;
  message: string;
  file: string;
  line: number;
  column: number;
}

export function formatProblem(p: LocatedProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.path || '/'}: ${p.message}`;
}

function invalid(path: string, problems: LocatedProblem[], summary: string): CliFailure {
  const lines = problems.map(formatProblem).join('\n');
  const last = `${path}: ${summary}; nothing was changed`;
  return new CliFailure(`${lines}\n${last}`, ExitCode.invalid, 'invalid_input', problems, undefined, last);
}

/**
 * All of stdin. Read as a stream: `readFileSync(0)` fails with EAGAIN when stdin is a pipe that
 * Node has made non-blocking (any touch of `process.stdin`) and the writer has not written yet.
 */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Read and parse a center file; unreadable files and malformed YAML fail with exit 7 before anything is sent. */
export async function readCenterFile(path: string): Promise<CenterSource> {
  let text: string;
  try {
    text = path === '-' ? await readStdin() : readFileSync(path, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'is a directory' : (e.code ?? e.message);
    throw new CliFailure(`cannot read ${path}: ${why}`, ExitCode.invalid, 'unreadable_file');
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e): LocatedProblem => {
      const at = lines.linePos(e.pos[0]);
      return { path: '', message: e.message.split('\n')[0]!, file: path, line: at.line, column: at.col };
    });
    const last = `${path}: not valid YAML; nothing was sent to the server`;
    const listing = problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message}`).join('\n');
    throw new CliFailure(`${listing}\n${last}`, ExitCode.invalid, 'invalid_yaml', problems, undefined, last);
  }
  const data = doc.toJS({ maxAliasCount: 1000 }) as unknown;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    const at = lines.linePos(doc.contents?.range[0] ?? 0);
    const problem = { path: '', message: 'a center file is a mapping that starts with `apiVersion: hotline/v1` and `kind: Center`', file: path, line: at.line, column: at.col };
    throw invalid(path, [problem], 'not a center file');
  }
  return { path, doc, lines, data };
}

/** Decode a JSON pointer (RFC 6901) into its segments. */
export function pointerSegments(pointer: string): string[] {
  if (pointer === '' || pointer === '/') return [];
  return pointer.replace(/^\//, '').split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * The YAML node a JSON pointer names: walks maps by key and sequences by index as far as the pointer
 * exists. `unknown field` and unknown map keys point at the key; a missing field points at its parent.
 */
export function locate(src: CenterSource, pointer: string, message = ''): { line: number; column: number } {
  let node: unknown = src.doc.contents;
  let best: { range?: [number, number, number] | null } | null = (node as Node | null) ?? null;
  const segments = pointerSegments(pointer);
  const preferKey = /^unknown (field|skill)/.test(message);
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const last = i === segments.length - 1;
    if (isSeq(node)) {
      const item = /^\d+$/.test(seg) ? node.items[Number(seg)] : undefined;
      if (item === undefined) break;
      node = item;
    } else if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && (isScalar(p.key) ? String(p.key.value) : String(p.key)) === seg);
      if (!pair) break;
      const value = pair.value as Node | null;
      if ((last && preferKey) || !value?.range || value.range[0] === value.range[1]) {
        node = pair.key;
        if (!last) break;
      } else {
        node = value;
      }
    } else {
      break;
    }
    if ((node as Node | null)?.range) best = node as Node;
  }
  const at = src.lines.linePos(best?.range?.[0] ?? 0);
  return { line: at.line, column: at.col };
}

/** Server validation details located in the file. */
export function locateAll(src: CenterSource, details: Array<{ path: string; message: string }>): LocatedProblem[] {
  return details.map((d) => {
    // The server reports paths inside the request body's `center` field; accept both forms.
    const path = d.path.replace(/^\/center(?=\/|$)/, '');
    return { path, message: d.message, file: src.path, ...locate(src, path, d.message) };
  });
}

/**
 * Send the file with `call` (plan or apply). A 400 with details becomes one located line per problem
 * and exit 7; anything else propagates to the base command's error mapping.
 */
export async function withLocatedErrors<T>(src: CenterSource, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof ApiError && (err.status === 400 || err.status === 422) && err.details.length > 0) {
      const problems = locateAll(src, err.details);
      const n = problems.length;
      throw invalid(src.path, problems, `${n} problem${n === 1 ? '' : 's'}`);
    }
    throw err;
  }
}
