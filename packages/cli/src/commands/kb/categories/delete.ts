import { Args } from '@oclif/core';
import { HotlineCommand } from '../../../base.js';

export default class KbCategoriesDelete extends HotlineCommand<typeof KbCategoriesDelete> {
  static override description = 'Delete an empty category';
  static override examples = ['<%= config.bin %> kb categories delete billing/refunds'];
  static override args = { path: Args.string({ description: 'category path', required: true }) };

  async run(): Promise<{ deleted: string }> {
    await this.client().kb.categories.delete(this.args.path);
    this.note(`deleted ${this.args.path}`);
    return { deleted: this.args.path };
  }
}
