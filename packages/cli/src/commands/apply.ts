import { ApiError, type Plan } from '@hotline/server/client';
import { Flags } from '@oclif/core';
import { CliFailure } from '../base.js';
import { PlainErrorsCommand } from '../plain-errors.js';
import { readCenterFile, withLocatedErrors } from '../center-file.js';
import { renderPlan, unmanagedNote } from '../center-plan.js';
import { ExitCode } from '../exit-codes.js';
import { confirm } from '../confirm.js';

export default class ApplyCommand extends PlainErrorsCommand<typeof ApplyCommand> {
  static override description = `Make the server match a center file, atomically

The whole file is applied in one transaction: every change or none. Applying the same file again changes nothing. Prints the changes made and "Apply complete: ...". Objects the file does not mention are kept unless --prune is given.

Confirmation: when stdin is a terminal and --yes is not given, the plan is shown and apply asks before changing anything. When stdin is not a terminal (scripts, CI, pipes) it applies without asking, like --yes.`;

  static override examples = [
    '<%= config.bin %> apply -f center.yaml',
    '<%= config.bin %> apply -f center.yaml --prune --yes',
    '<%= config.bin %> apply -f center.yaml --json',
  ];

  static override flags = {
    file: Flags.string({ char: 'f', description: 'center file (YAML); - reads stdin', required: true }),
    prune: Flags.boolean({ description: 'delete objects the file does not mention (in the sections it has)' }),
    yes: Flags.boolean({ char: 'y', description: 'do not ask for confirmation on a terminal' }),
  };

  async run(): Promise<Plan> {
    const src = await readCenterFile(this.flags.file);
    const client = this.client();
    const prune = this.flags.prune;
    const ask = Boolean(process.stdin.isTTY) && !this.flags.yes && this.flags.file !== '-';
    let planned: Plan | undefined;
    if (ask) {
      planned = await withLocatedErrors(src, () => client.center.plan(src.data, prune));
      if (planned.changes.length === 0) {
        this.log(renderPlan(planned, 'Plan'));
        return planned;
      }
      process.stderr.write(`${renderPlan(planned, 'Plan')}\n\n`);
      if (!(await confirm(`Apply these changes to ${client.url}? [y/N] `))) {
        throw new CliFailure('apply cancelled; nothing was changed', ExitCode.error, 'cancelled');
      }
    }
    const applied = await withLocatedErrors(src, () => client.center.apply(src.data, prune)).catch((err: unknown) => {
      // The server applies the file in one transaction: an answered failure changed nothing.
      const f = err instanceof ApiError ? PlainErrorsCommand.failureOf(err) : undefined;
      const why = 'nothing was changed: the file is applied whole or not at all';
      throw f ? new CliFailure(`${f.message}\n${why}`, f.exit, f.reason, f.details, f.status, `${f.summary}; ${why}`) : err;
    });
    if (!planned || JSON.stringify(planned.changes) !== JSON.stringify(applied.changes)) {
      if (planned) this.note('note: the server changed after the plan was shown; these are the changes applied:');
      this.log(renderPlan(applied, 'Apply complete'));
    } else {
      this.log(renderPlan(applied, 'Apply complete').split('\n').at(-1));
    }
    const note = unmanagedNote(applied);
    if (note) this.note(note);
    return applied;
  }
}
