import type { EraseReport } from '@hotline/server/client';
import { Args, Flags } from '@oclif/core';
import { CliFailure, HotlineCommand } from '../../base.js';
import { ExitCode } from '../../exit-codes.js';
import { confirm } from '../../confirm.js';

export default class CustomersErase extends HotlineCommand<typeof CustomersErase> {
  static override description = `Erase a person everywhere (right to erasure); cannot be undone

Deletes the customer with phones, emails, custom values and notes; keeps tickets linked to the
customer but replaces their subject, description and comments with "[erased]" and clears the link;
replaces the person's numbers on call records with erased-<hash> and scrubs the name, emails and
numbers from ticket history, the audit log and the event log. Leaves one audit record
customer.erased with counts only. Asks for confirmation on a terminal; without a terminal --yes is
required. Needs privacy:erase (admins).`;

  static override examples = ['<%= config.bin %> customers erase 42', '<%= config.bin %> customers erase 42 --yes --json'];
  static override args = { id: Args.string({ description: 'customer id', required: true }) };
  static override flags = { yes: Flags.boolean({ char: 'y', description: 'do not ask for confirmation' }) };

  async run(): Promise<EraseReport> {
    if (!this.flags.yes) {
      if (!process.stdin.isTTY) throw new CliFailure('erasure cannot be undone: pass --yes to erase without a terminal', ExitCode.usage, 'confirmation-required');
      if (!(await confirm(`Erase customer ${this.args.id} everywhere? This cannot be undone. [y/N] `))) {
        throw new CliFailure('erase cancelled; nothing was changed', ExitCode.error, 'cancelled');
      }
    }
    const report = await this.client().customers.erase(this.args.id);
    this.record([['erased customer', report.customerId], ...Object.entries(report.changed).map(([k, v]) => [k, v] as [string, unknown])]);
    return report;
  }
}
