import type { ImportReport } from '@hotline/server/client';
import { Args, Flags } from '@oclif/core';
import { readFileSync } from 'node:fs';
import { CliFailure, HotlineCommand } from '../../base.js';
import { csvObjects, CsvError, parseCsv } from '../../csv.js';
import { reportErrors } from '../../customers.js';
import { ExitCode } from '../../exit-codes.js';
import { usageError } from '../../flags.js';

/** Progress lines go to stderr also with --json (oclif silences logToStderr then), never into the data. */
const progress = (line: string) => void process.stderr.write(`${line}\n`);

export default class CustomersImport extends HotlineCommand<typeof CustomersImport> {
  static override description = `Import customers from CSV or JSON

Every row is validated. Valid rows are applied and invalid rows are reported (row number, field,
message); a row is applied whole or not at all. A row whose phones or emails belong to exactly one
existing customer updates that customer (given fields overwrite; phones, emails and tags are added)
instead of creating a duplicate. --dry-run applies nothing and reports what would happen. The command
exits 7 when any row failed. Rows are sent in batches; progress goes to stderr.

CSV: a header row, then one customer per row. Columns: name, company, phones (several separated by ;),
emails (;), language, tags (;), vipLevel, preferredAgent, custom.<field>; id, createdAt and updatedAt
are ignored (so an export imports back). JSON: an array of customer objects as \`customers export
--format json\` writes them. Row N is the N-th record after the header (CSV) or array element (JSON).`;

  static override examples = [
    '<%= config.bin %> customers import customers.csv --dry-run',
    '<%= config.bin %> customers import customers.csv',
    '<%= config.bin %> customers import export.json --format json --json',
  ];
  static override args = { file: Args.string({ description: 'CSV or JSON file', required: true }) };
  static override flags = {
    'dry-run': Flags.boolean({ description: 'validate and report; change nothing' }),
    format: Flags.string({ description: 'file format (default: from the file name; .json is JSON, anything else CSV)', options: ['csv', 'json'] }),
    'batch-size': Flags.integer({ description: 'rows per request, 1-5000', default: 1000, min: 1, max: 5000 }),
  };

  private rows(): Array<Record<string, unknown>> {
    let text: string;
    try {
      text = readFileSync(this.args.file, 'utf8');
    } catch (err) {
      throw usageError(`cannot read ${this.args.file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    const format = this.flags.format ?? (this.args.file.toLowerCase().endsWith('.json') ? 'json' : 'csv');
    const bad = (m: string) => new CliFailure(`${this.args.file}: ${m}`, ExitCode.invalid, 'invalid_file');
    if (format === 'json') {
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch (err) {
        throw bad(`not valid JSON: ${(err as Error).message}`);
      }
      const list = Array.isArray(data) ? data : (data as { customers?: unknown })?.customers;
      if (!Array.isArray(list) || list.some((r) => r === null || typeof r !== 'object' || Array.isArray(r))) throw bad('expected a JSON array of customer objects');
      return list as Array<Record<string, unknown>>;
    }
    try {
      const { header, rows } = csvObjects(parseCsv(text));
      if (!header.includes('name') && !header.some((h) => /^(phones?|emails?)$/.test(h))) throw bad('the CSV header has no name, phones or emails column');
      return rows;
    } catch (err) {
      if (err instanceof CsvError) throw bad(err.message);
      throw err;
    }
  }

  async run(): Promise<ImportReport> {
    const rows = this.rows();
    const client = this.client();
    const dryRun = this.flags['dry-run'] ?? false;
    const size = this.flags['batch-size'];
    const total: ImportReport = { dryRun, created: 0, updated: 0, failed: 0, rows: [] };
    const t0 = Date.now();
    for (let start = 0; start < rows.length; start += size) {
      let r: ImportReport;
      try {
        r = await client.customers.import({ rows: rows.slice(start, start + size), dryRun, firstRow: start + 1 });
      } catch (err) {
        if (start > 0) progress(`stopped at row ${start + 1}: rows 1-${start} were ${dryRun ? 'checked' : 'imported'} as reported so far (${total.created} created, ${total.updated} updated, ${total.failed} failed); rows from ${start + 1} on were not`);
        throw err;
      }
      total.created += r.created;
      total.updated += r.updated;
      total.failed += r.failed;
      total.rows.push(...r.rows);
      if (rows.length > size) {
        const done = Math.min(start + size, rows.length);
        const rate = Math.round(done / Math.max((Date.now() - t0) / 1000, 0.001));
        progress(`${dryRun ? 'checked' : 'imported'} ${done}/${rows.length} rows (${total.created} created, ${total.updated} updated, ${total.failed} failed; ${rate} rows/s)`);
      }
    }
    if (!this.jsonEnabled()) {
      const verb = dryRun ? 'dry run, nothing changed: would create' : 'created';
      this.log(`${verb} ${total.created}, ${dryRun ? 'would update' : 'updated'} ${total.updated}, failed ${total.failed} of ${rows.length} rows`);
      for (const line of reportErrors(total)) this.log(line);
    }
    if (total.failed > 0) process.exitCode = ExitCode.invalid;
    return total;
  }
}
