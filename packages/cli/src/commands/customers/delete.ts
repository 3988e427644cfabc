import { Args } from '@oclif/core';
import { HotlineCommand } from '../../base.js';

export default class CustomersDelete extends HotlineCommand<typeof CustomersDelete> {
  static override description = 'Delete a customer with its phones, emails and notes';
  static override examples = ['<%= config.bin %> customers delete 42'];
  static override args = { id: Args.string({ description: 'customer id', required: true }) };

  async run(): Promise<{ deleted: string }> {
    await this.client().customers.delete(this.args.id);
    this.note(`deleted customer ${this.args.id}`);
    return { deleted: this.args.id };
  }
}
