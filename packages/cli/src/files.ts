/**
 * Files going up to and coming down from the server's file store (KB attachment articles, ticket
 * attachments): base64 in JSON both ways, the content type guessed from the extension, the download
 * checked against its SHA-256 before anything is written.
 */
import type { FileData, UploadInput } from '@hotline/server/client';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { CliFailure } from './base.js';
import { ExitCode } from './exit-codes.js';
import { usageError } from './flags.js';

const TYPES: Record<string, string> = { pdf: 'application/pdf', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', txt: 'text/plain', md: 'text/markdown', csv: 'text/csv', html: 'text/html', json: 'application/json' };

/** Read a local file as an upload body; `type` overrides the content type guessed from the extension. */
export async function readUpload(file: string, type: string | undefined): Promise<UploadInput> {
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (err) {
    throw usageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const ext = file.split('.').pop()?.toLowerCase() ?? '';
  return { name: basename(file), contentType: type ?? TYPES[ext] ?? 'application/octet-stream', base64: data.toString('base64') };
}

/** Write a download to `out` (default: its stored name, made safe, in the current directory). */
export async function writeDownload(d: FileData, out: string | undefined): Promise<{ file: string; size: number; sha256: string }> {
  const data = Buffer.from(d.base64, 'base64');
  if (createHash('sha256').update(data).digest('hex') !== d.sha256) throw new CliFailure('the downloaded file does not match its SHA-256', ExitCode.error, 'corrupt');
  const file = out ?? d.name.replace(/[/\\]/g, '_');
  await writeFile(file, data);
  return { file, size: data.length, sha256: d.sha256 };
}
