import { Args } from '@oclif/core';
import { HotlineCommand } from '../../../base.js';

export default class KbArticlesDelete extends HotlineCommand<typeof KbArticlesDelete> {
  static override description = 'Delete a knowledge base article with its versions';
  static override examples = ['<%= config.bin %> kb articles delete 12'];
  static override args = { id: Args.string({ description: 'article id', required: true }) };

  async run(): Promise<{ deleted: string }> {
    await this.client().kb.articles.delete(this.args.id);
    this.note(`deleted article ${this.args.id}`);
    return { deleted: this.args.id };
  }
}
