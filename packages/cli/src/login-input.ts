import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

/** `hlt_<publicId>_<secret>` -> `hlt_<publicId>_…`; other shapes keep at most their first 4 characters. */
export function maskToken(token: string): string {
  const m = /^(hlt_[A-Za-z0-9]+_)/.exec(token);
  return m ? `${m[1]}…` : `${token.slice(0, Math.min(4, Math.floor(token.length / 4)))}…`;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

/** A secret from stdin: all of it when piped, or one line typed without echo on a terminal. */
export async function readSecret(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) return readAll(process.stdin);
  process.stderr.write(prompt);
  const muted = new Writable({ write: (_chunk, _enc, done) => done() });
  const rl = createInterface({ input: process.stdin, output: muted, terminal: true });
  try {
    return await new Promise<string>((resolve) => rl.once('line', resolve));
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}
