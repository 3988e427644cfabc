/**
 * Uploaded files (KB attachment articles, ticket attachments), content-addressed: ONE store for the whole
 * server, each file once under <dataDir>/kb-files/<sha256[0..2]>/<sha256> (the directory keeps the name
 * it had when only the KB stored files, so existing data directories keep working). A file is written to
 * a temporary name and renamed (a crash never leaves half a file under its hash). Upload is base64 in
 * JSON (bounded by http.bodyLimit, validated by the same TypeBox path as every other body); download
 * returns the same JSON shape, after the owner's read check.
 *
 * Rows reference files by hash (kb_articles.file_sha256, ticket_attachments.sha256). A file is deleted
 * when the last row referencing it goes (`releaseAfterCommit`): after that row's transaction committed,
 * in a write of its own, so the check is ordered with the writes that attach files. Those writes
 * re-check that their file is on disk (`has`) and store it again if a release removed it meanwhile.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EntityManager } from 'typeorm';
import { InvalidInput, NotFound } from '../errors.js';
import { KbArticleRow, TicketAttachmentRow } from './entities/index.js';
import type { WriteContext, Writer } from './writer.js';

export class FileStore {
  constructor(private readonly dir: string) {}

  private pathOf(sha: string): string {
    return join(this.dir, sha.slice(0, 2), sha);
  }

  async put(base64: string): Promise<{ sha256: string; size: number }> {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64.replace(/\s+/g, ''))) throw new InvalidInput('base64 is not valid base64', [{ path: '/base64', message: 'not base64' }]);
    const data = Buffer.from(base64, 'base64');
    const sha256 = createHash('sha256').update(data).digest('hex');
    if (!(await this.has(sha256))) {
      const file = this.pathOf(sha256);
      await mkdir(join(this.dir, sha256.slice(0, 2)), { recursive: true, mode: 0o700 });
      const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
      await writeFile(tmp, data, { mode: 0o600 });
      await rename(tmp, file);
    }
    return { sha256, size: data.length };
  }

  async has(sha256: string): Promise<boolean> {
    return stat(this.pathOf(sha256)).then(() => true, () => false);
  }

  async get(sha256: string): Promise<Buffer> {
    try {
      return await readFile(this.pathOf(sha256));
    } catch {
      throw new NotFound('file', sha256);
    }
  }

  /** Delete those of `shas` that no KB article and no ticket attachment references; returns the deleted ones. */
  async deleteUnreferenced(em: EntityManager, shas: string[]): Promise<string[]> {
    const deleted: string[] = [];
    for (const sha256 of new Set(shas)) {
      if (await em.exists(KbArticleRow, { where: { fileSha256: sha256 } })) continue;
      if (await em.exists(TicketAttachmentRow, { where: { sha256 } })) continue;
      await unlink(this.pathOf(sha256)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
      deleted.push(sha256);
    }
    return deleted;
  }

  /**
   * After `tx` committed, delete the files of `shas` no row references any more (a write of its own,
   * ordered with attaching writes). A failure only leaves an unused file behind, so it is not reported
   * to the caller, whose change is already committed.
   */
  releaseAfterCommit(tx: WriteContext, writer: Writer, shas: string[]): void {
    if (shas.length === 0) return;
    tx.afterCommit(() => {
      writer.run((gc) => this.deleteUnreferenced(gc.em, shas)).catch(() => undefined);
    });
  }
}
