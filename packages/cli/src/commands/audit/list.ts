import type { AuditEntry } from '@hotline/server/client';
import { Flags } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { defined } from '../../flags.js';
import { auditColumns } from '../../views.js';

export default class AuditList extends HotlineCommand<typeof AuditList> {
  static override description = 'Page through the audit log: who changed what, when, from where (`--json` includes before/after)';
  static override examples = [
    '<%= config.bin %> audit list --action "agent.*" --limit 20',
    '<%= config.bin %> audit list --actor admin --subject-type queue --subject-id support --json',
  ];
  static override flags = {
    after: Flags.integer({ description: 'only entries with an id above this (page on with the last id)' }),
    limit: Flags.integer({ description: 'at most this many entries, 1-1000 (default 100)' }),
    action: Flags.string({ description: 'exact action or prefix, e.g. agent.created or "agent.*"' }),
    actor: Flags.string({ description: 'user who made the change' }),
    'subject-type': Flags.string({ description: 'kind of object, e.g. agent, queue, user' }),
    'subject-id': Flags.string({ description: 'key of the object, e.g. 1001' }),
  };

  async run(): Promise<AuditEntry[]> {
    const f = this.flags;
    const entries = await this.client().audit.list(defined({
      after: f.after, limit: f.limit, action: f.action, actor: f.actor, subjectType: f['subject-type'], subjectId: f['subject-id'],
    }));
    this.table(entries, auditColumns, '(no audit entries)');
    return entries;
  }
}
