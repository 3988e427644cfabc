import { readFileSync } from 'node:fs';
import type { Rule, RuleInput } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { CliFailure, HotlineCommand } from '../../base.js';
import { ExitCode } from '../../exit-codes.js';

/** Read a JSON file (a rule, a patch or an event); a bad file is an invalid-input failure (exit 7). */
export function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CliFailure(`${file}: ${err instanceof Error ? err.message : String(err)}`, ExitCode.invalid, 'invalid_file');
  }
}

/** The lines `rules show` and `rules create` print. */
export function ruleRecord(r: Rule): Array<[string, unknown]> {
  return [
    ['id', r.id], ['name', r.name], ['enabled', r.enabled], ['trigger', `${r.trigger} (${r.triggerKind})`],
    ...r.conditions.map((c, i): [string, unknown] => [`condition ${i + 1}`, `${c.field} ${c.op}${c.value === undefined ? '' : ` ${JSON.stringify(c.value)}`}`]),
    ...r.actions.map((a, i): [string, unknown] => {
      const { type, ...rest } = a;
      return [`action ${i + 1}`, `${type} ${JSON.stringify(rest)}`];
    }),
    ['webhook key', r.secret ?? (r.hasSecret ? '(set; shown only when created)' : '-')],
  ];
}

export default class RulesCreate extends HotlineCommand<typeof RulesCreate> {
  static override description = 'Create a workflow rule from a JSON file (name, trigger, conditions, actions); a webhook rule\'s signing key is printed once';
  static override examples = [
    '<%= config.bin %> rules create urgent.json',
    '<%= config.bin %> rules create nightly.json --json',
  ];
  static override args = { file: Args.string({ description: 'JSON file with the rule (see docs: Workflow rules)', required: true }) };

  async run(): Promise<Rule> {
    const r = await this.client().rules.create(readJson(this.args.file) as RuleInput);
    this.record(ruleRecord(r));
    return r;
  }
}
