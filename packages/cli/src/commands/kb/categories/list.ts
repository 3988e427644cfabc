import type { Category } from '@hotline/server/client';
import { HotlineCommand } from '../../../base.js';
import { categoryColumns } from '../../../kb.js';

export default class KbCategoriesList extends HotlineCommand<typeof KbCategoriesList> {
  static override description = 'List the knowledge base categories you may read, with their rules';
  static override examples = ['<%= config.bin %> kb categories list'];

  async run(): Promise<Category[]> {
    const c = await this.client().kb.categories.list();
    this.table(c, categoryColumns, '(no categories)');
    return c;
  }
}
