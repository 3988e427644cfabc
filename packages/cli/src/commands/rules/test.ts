import type { RuleTestEvent, RuleTestResult } from '@hotline/server/client';
import { Args, Flags } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { readJson } from './create.js';

export default class RulesTest extends HotlineCommand<typeof RulesTest> {
  static override description = 'Dry-run a rule against an event from a JSON file: which conditions hold and which actions would run with their rendered parameters; changes nothing';
  static override examples = ['<%= config.bin %> rules test long-calls --event call-ended.json', '<%= config.bin %> rules test 3 --event e.json --json'];
  static override args = { rule: Args.string({ description: 'rule id or name', required: true }) };
  static override flags = { event: Flags.string({ description: 'JSON file with the event (type, subjectType, subjectId, callId, payload, ...)', required: true }) };

  async run(): Promise<RuleTestResult> {
    const r = await this.client().rules.test(this.args.rule, readJson(this.flags.event) as RuleTestEvent);
    this.record([
      ['rule', r.rule],
      ['trigger matches', r.triggerMatches],
      ...r.conditions.map((c, i): [string, unknown] => [`condition ${i + 1}`, `${c.field} ${c.op}: ${c.holds ? 'holds' : 'fails'} (actual ${JSON.stringify(c.actual)})`]),
      ['would run', r.wouldRun],
      ...r.actions.map((a, i): [string, unknown] => [`action ${i + 1}`, `${a.type} ${JSON.stringify(a.params)}`]),
    ]);
    return r;
  }
}
