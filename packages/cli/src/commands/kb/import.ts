import { ApiError } from '@hotline/server/client';
import { Args, Flags } from '@oclif/core';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CliFailure, HotlineCommand } from '../../base.js';
import { ExitCode } from '../../exit-codes.js';
import { usageError } from '../../flags.js';
import { fromMarkdown, patchOf } from '../../kb.js';

interface FileResult {
  file: string;
  action: 'create' | 'update' | 'error';
  id: number | null;
  errors: string[];
}

interface ImportReport {
  dryRun: boolean;
  created: number;
  updated: number;
  failed: number;
  files: FileResult[];
}

export default class KbImport extends HotlineCommand<typeof KbImport> {
  static override description = `Import knowledge base articles from Markdown files with YAML front matter

Front matter: title (required), kind (default knowledge), question (faq), url (link), category (path;
created when missing), tags, status (default draft), visibility, validFrom, validUntil, and id (as
\`kb export\` writes it: when that article exists it is updated, otherwise a new article is created).
Each file is one request, applied whole or not at all; a bad file is reported (with its problems) and
the others go on. --dry-run checks the files and reports what would happen without changing anything
(checks made only by the server, such as placeholders of phrases, run on the real import). Exits 7
when any file failed.`;

  static override examples = ['<%= config.bin %> kb import ./kb --dry-run', '<%= config.bin %> kb import ./kb', '<%= config.bin %> kb import refunds.md --json'];
  static override args = { path: Args.string({ description: 'a .md file or a directory of them (searched recursively)', required: true }) };
  static override flags = { 'dry-run': Flags.boolean({ description: 'check and report; change nothing' }) };

  private async files(path: string): Promise<string[]> {
    let s;
    try {
      s = await stat(path);
    } catch (err) {
      throw usageError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    if (!s.isDirectory()) return [path];
    const out: string[] = [];
    for (const e of (await readdir(path, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.isDirectory()) out.push(...(await this.files(join(path, e.name))));
      else if (e.name.toLowerCase().endsWith('.md')) out.push(join(path, e.name));
    }
    return out;
  }

  async run(): Promise<ImportReport> {
    const dryRun = this.flags['dry-run'] ?? false;
    const client = this.client();
    const report: ImportReport = { dryRun, created: 0, updated: 0, failed: 0, files: [] };
    const categories = new Set((await client.kb.categories.list()).map((c) => c.path));
    for (const file of await this.files(this.args.path)) {
      const parsed = fromMarkdown(await readFile(file, 'utf8'));
      const fail = (errors: string[]) => {
        report.failed++;
        report.files.push({ file, action: 'error', id: null, errors });
      };
      if (!parsed.article) {
        fail(parsed.errors);
        continue;
      }
      const { id, input } = parsed.article;
      try {
        const existing = id === undefined ? null : await client.kb.articles.get(id).catch((err: unknown) => {
          if (err instanceof ApiError && err.status === 404) return null;
          throw err;
        });
        if (existing && existing.kind !== input.kind) {
          fail([`article ${id} is a ${existing.kind}, the file says ${input.kind}`]);
          continue;
        }
        let resultId = existing?.id ?? null;
        if (!dryRun) {
          if (input.category && !categories.has(input.category)) {
            await client.kb.categories.create(input.category);
            categories.add(input.category);
          }
          resultId = existing
            ? (await client.kb.articles.update(existing.id, { ...patchOf(input), note: `imported from ${file}` })).id
            : (await client.kb.articles.create({ ...input, note: `imported from ${file}` })).id;
        }
        if (existing) report.updated++;
        else report.created++;
        report.files.push({ file, action: existing ? 'update' : 'create', id: resultId, errors: [] });
      } catch (err) {
        if (!(err instanceof ApiError) || err.status === 401 || err.status >= 500) throw err;
        fail([err.message, ...err.details.map((d) => `${d.path}: ${d.message}`)]);
      }
    }
    if (!this.jsonEnabled()) {
      for (const f of report.files) this.log(`${f.action === 'error' ? 'FAIL' : f.action}\t${f.file}${f.id ? `\t#${f.id}` : ''}${f.errors.length ? `\n  ${f.errors.join('\n  ')}` : ''}`);
      this.log(`${dryRun ? 'dry run: would create' : 'created'} ${report.created}, ${dryRun ? 'update' : 'updated'} ${report.updated}, failed ${report.failed}`);
    }
    if (report.failed) {
      if (this.jsonEnabled()) {
        process.exitCode = ExitCode.invalid;
        return report;
      }
      throw new CliFailure(`${report.failed} file(s) failed`, ExitCode.invalid, 'import_failed');
    }
    return report;
  }
}
