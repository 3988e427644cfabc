import type { Category } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { HotlineCommand } from '../../../base.js';

export default class KbCategoriesCreate extends HotlineCommand<typeof KbCategoriesCreate> {
  static override description = 'Create a category (missing parents are created too)';
  static override examples = ['<%= config.bin %> kb categories create billing/refunds'];
  static override args = { path: Args.string({ description: 'category path, names joined by /', required: true }) };

  async run(): Promise<Category> {
    const c = await this.client().kb.categories.create(this.args.path);
    this.note(`created ${c.path}`);
    return c;
  }
}
