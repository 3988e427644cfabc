import type { Rule } from '@hotline/server/client';
import { HotlineCommand } from '../../base.js';

export default class RulesList extends HotlineCommand<typeof RulesList> {
  static override description = 'List workflow rules';
  static override examples = ['<%= config.bin %> rules list', '<%= config.bin %> rules list --json'];

  async run(): Promise<Rule[]> {
    const rules = await this.client().rules.list();
    this.table(rules, [
      { header: 'id', get: (r) => r.id },
      { header: 'name', get: (r) => r.name },
      { header: 'enabled', get: (r) => (r.enabled ? 'yes' : 'no') },
      { header: 'trigger', get: (r) => r.trigger },
      { header: 'conditions', get: (r) => r.conditions.length },
      { header: 'actions', get: (r) => r.actions.map((a) => a.type).join(',') },
    ], '(no rules)');
    return rules;
  }
}
