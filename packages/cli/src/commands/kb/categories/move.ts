import type { Category } from '@hotline/server/client';
import { Args, Flags } from '@oclif/core';
import { HotlineCommand } from '../../../base.js';
import { usageError } from '../../../flags.js';

export default class KbCategoriesMove extends HotlineCommand<typeof KbCategoriesMove> {
  static override description = 'Move a category under another (or to the root with --root); never into itself';
  static override examples = ['<%= config.bin %> kb categories move refunds --parent billing', '<%= config.bin %> kb categories move billing/refunds --root'];
  static override args = { path: Args.string({ description: 'category path', required: true }) };
  static override flags = {
    parent: Flags.string({ description: 'new parent path', exclusive: ['root'] }),
    root: Flags.boolean({ description: 'move to the top level' }),
  };

  async run(): Promise<Category> {
    if (!this.flags.parent && !this.flags.root) throw usageError('give --parent PATH or --root');
    const c = await this.client().kb.categories.move(this.args.path, this.flags.root ? null : this.flags.parent!);
    this.note(`moved to ${c.path}`);
    return c;
  }
}
