import { Args } from '@oclif/core';
import { HotlineCommand } from '../../../base.js';

export default class CustomersFieldsDelete extends HotlineCommand<typeof CustomersFieldsDelete> {
  static override description = 'Delete a custom field and remove its values from every customer (admins only)';
  static override examples = ['<%= config.bin %> customers fields delete tier'];
  static override args = { name: Args.string({ description: 'field name', required: true }) };

  async run(): Promise<{ deleted: string }> {
    await this.client().customerFields.delete(this.args.name);
    this.note(`deleted custom field ${this.args.name}`);
    return { deleted: this.args.name };
  }
}
