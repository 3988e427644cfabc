import { writeFileSync } from 'node:fs';
import type { CenterFile } from '@hotline/server/client';
import { Flags } from '@oclif/core';
import { CliFailure } from '../base.js';
import { ExitCode } from '../exit-codes.js';
import { PlainErrorsCommand } from '../plain-errors.js';
import { centerToYaml } from '../center-yaml.js';

export default class ExportCommand extends PlainErrorsCommand<typeof ExportCommand> {
  static override description = `Export the server's configuration as a center file

The YAML has a stable key order, so exporting an unchanged server gives identical text. Secrets (SIP passwords, tokens) are never exported. Applying the export back to the same server changes nothing.`;

  static override examples = ['<%= config.bin %> export > center.yaml', '<%= config.bin %> export -o center.yaml', '<%= config.bin %> export --json'];

  static override flags = {
    output: Flags.string({ char: 'o', description: 'write the YAML to this file instead of stdout' }),
  };

  async run(): Promise<CenterFile> {
    const client = this.client();
    const center = await client.center.export();
    const yaml = centerToYaml(center, client.url);
    if (this.flags.output) {
      try {
        writeFileSync(this.flags.output, yaml);
      } catch (err) {
        throw new CliFailure(`cannot write ${this.flags.output}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, ExitCode.error, 'unwritable_file');
      }
      const count = (k: keyof CenterFile) => (Array.isArray(center[k]) ? (center[k] as unknown[]).length : 0);
      this.note(`wrote ${this.flags.output}: ${count('users')} users, ${count('skills')} skills, ${count('pauseReasons')} pause reasons, ${count('dispositions')} dispositions, ${count('agents')} agents, ${count('queues')} queues, ${count('trunks')} trunks, ${count('numbers')} numbers, ${count('customerFields')} customer fields, ${count('calendars')} calendars, ${count('slaPolicies')} SLA policies, ${count('kbCategories')} KB categories, ${count('rules')} rules`);
    } else if (!this.jsonEnabled()) {
      process.stdout.write(yaml);
    }
    return center;
  }
}
