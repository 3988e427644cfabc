import type { Plan } from '@hotline/server/client';
import { Flags } from '@oclif/core';
import { PlainErrorsCommand } from '../plain-errors.js';
import { readCenterFile, withLocatedErrors } from '../center-file.js';
import { renderPlan, unmanagedNote } from '../center-plan.js';
import { ExitCode } from '../exit-codes.js';

export default class PlanCommand extends PlainErrorsCommand<typeof PlanCommand> {
  static override description = `Show what applying a center file would change (nothing is changed)

Prints one line per change (+ create, ~ update with the fields that change, - delete) and a summary. Objects on the server that the file does not mention are kept, and counted in a note on stderr; with --prune they are planned for deletion. YAML errors and invalid fields are reported as file:line:column and exit 7. With --detailed-exitcode, exit 0 means no changes and 10 means changes.`;

  static override examples = [
    '<%= config.bin %> plan -f center.yaml',
    '<%= config.bin %> plan -f center.yaml --prune --detailed-exitcode',
    '<%= config.bin %> plan -f center.yaml --json',
  ];

  static override flags = {
    file: Flags.string({ char: 'f', description: 'center file (YAML); - reads stdin', required: true }),
    prune: Flags.boolean({ description: 'plan to delete objects the file does not mention (in the sections it has)' }),
    'detailed-exitcode': Flags.boolean({ description: 'exit 10 when the plan has changes, 0 when it has none' }),
  };

  async run(): Promise<Plan> {
    const src = await readCenterFile(this.flags.file);
    const client = this.client();
    const plan = await withLocatedErrors(src, () => client.center.plan(src.data, this.flags.prune));
    this.log(renderPlan(plan, 'Plan'));
    const note = unmanagedNote(plan);
    if (note) this.note(note);
    if (this.flags['detailed-exitcode'] && plan.changes.length > 0) process.exitCode = ExitCode.planHasChanges;
    return plan;
  }
}
