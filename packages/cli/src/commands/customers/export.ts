import type { Customer } from '@hotline/server/client';
import { Flags } from '@oclif/core';
import { createWriteStream, type WriteStream } from 'node:fs';
import { HotlineCommand } from '../../base.js';
import { formatCsvRecord } from '../../csv.js';
import { csvHeader, csvRow } from '../../customers.js';

const PAGE = 5000;

/** Progress lines go to stderr also with --json (oclif silences logToStderr then), never into the data. */
const progress = (line: string) => void process.stderr.write(`${line}\n`);

export default class CustomersExport extends HotlineCommand<typeof CustomersExport> {
  static override description = `Export every customer as CSV (default) or JSON

CSV has one column per custom field (custom.<name>); phones and emails are joined with "; ", phone
labels are kept only in JSON. Both formats import back with \`customers import\` (matched by phone and
email). Needs the customers:export permission (admins, supervisors, auditors).`;

  static override examples = [
    '<%= config.bin %> customers export > customers.csv',
    '<%= config.bin %> customers export --format json --output customers.json',
  ];
  static override flags = {
    format: Flags.string({ description: 'output format (--json implies json)', options: ['csv', 'json'], default: 'csv' }),
    output: Flags.string({ char: 'o', description: 'write to this file instead of stdout' }),
  };

  async run(): Promise<Customer[] | { exported: number; file: string }> {
    const client = this.client();
    const json = this.jsonEnabled() || this.flags.format === 'json';
    const file: WriteStream | undefined = this.flags.output ? createWriteStream(this.flags.output) : undefined;
    const write = (text: string) => (file ? file.write(text) : process.stdout.write(text));
    const fields = json ? [] : (await client.customerFields.list()).map((f) => f.name);
    const all: Customer[] = [];
    let count = 0;
    if (!json) write(formatCsvRecord(csvHeader(fields)));
    for (let after: number | null = 0; after !== null;) {
      const page = await client.customers.export({ after, limit: PAGE });
      if (json) all.push(...page.customers);
      else for (const c of page.customers) write(formatCsvRecord(csvRow(c, fields)));
      count += page.customers.length;
      after = page.next;
      if (after !== null || count > PAGE) progress(`exported ${count} customers${after === null ? '' : '...'}`);
    }
    if (json && (file || !this.jsonEnabled())) write(`${JSON.stringify(all, null, 2)}\n`);
    if (file) {
      await new Promise<void>((resolve, reject) => file.end((err?: Error | null) => (err ? reject(err) : resolve())));
      this.note(`exported ${count} customers to ${this.flags.output}`);
      return { exported: count, file: this.flags.output! };
    }
    return all;
  }
}
