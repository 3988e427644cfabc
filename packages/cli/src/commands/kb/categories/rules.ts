import type { Category } from '@hotline/server/client';
import { Args, Flags } from '@oclif/core';
import { HotlineCommand } from '../../../base.js';
import { usageError } from '../../../flags.js';

export default class KbCategoriesRules extends HotlineCommand<typeof KbCategoriesRules> {
  static override description = 'Set who may read or edit a category subtree (roles not listed cannot see it; no --allow: inherit)';
  static override examples = ['<%= config.bin %> kb categories rules legal --allow supervisor=edit --allow agent=read', '<%= config.bin %> kb categories rules legal'];
  static override args = { path: Args.string({ description: 'category path', required: true }) };
  static override flags = { allow: Flags.string({ description: 'ROLE=read|edit (repeatable)', multiple: true, helpValue: 'ROLE=ACCESS' }) };

  async run(): Promise<Category> {
    const rules = (this.flags.allow ?? []).map((raw) => {
      const [role, access] = raw.split('=');
      if (!role || (access !== 'read' && access !== 'edit')) throw usageError(`--allow expects ROLE=read or ROLE=edit, got ${JSON.stringify(raw)}`);
      return { role, access: access as 'read' | 'edit' };
    });
    const c = await this.client().kb.categories.setRules(this.args.path, rules);
    this.note(`${c.path}: ${c.rules.map((r) => `${r.role}:${r.access}`).join(', ') || 'inherits'}`);
    return c;
  }
}
