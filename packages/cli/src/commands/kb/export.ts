import type { Article } from '@hotline/server/client';
import { Args, Flags } from '@oclif/core';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HotlineCommand } from '../../base.js';
import { KB_STATUSES, slug, toMarkdown } from '../../kb.js';

export default class KbExport extends HotlineCommand<typeof KbExport> {
  static override description = `Export the knowledge base articles you may read as Markdown files with YAML front matter

One file per article, <id>-<title>.md, in the directory (created when missing); \`kb import\` reads them
back. Attachment files are not exported (their name, size and hash are in \`kb articles show\`).`;

  static override examples = ['<%= config.bin %> kb export ./kb', '<%= config.bin %> kb export ./kb --status published --json'];
  static override args = { dir: Args.string({ description: 'target directory', required: true }) };
  static override flags = { status: Flags.string({ description: 'only this status', options: [...KB_STATUSES] }) };

  async run(): Promise<{ dir: string; files: string[] }> {
    const client = this.client();
    await mkdir(this.args.dir, { recursive: true });
    const files: string[] = [];
    let after = 0;
    for (;;) {
      const page = await client.kb.articles.list({ after, limit: 500, ...(this.flags.status ? { status: this.flags.status as Article['status'] } : {}) });
      for (const a of page.articles) {
        const name = slug(a);
        await writeFile(join(this.args.dir, name), toMarkdown(a));
        files.push(name);
      }
      if (page.next === null) break;
      after = page.next;
    }
    this.note(`exported ${files.length} article(s) to ${this.args.dir}`);
    return { dir: this.args.dir, files };
  }
}
