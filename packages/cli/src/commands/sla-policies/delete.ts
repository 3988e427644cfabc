import { Args } from '@oclif/core';
import { HotlineCommand } from '../../base.js';

export default class SlaPoliciesDelete extends HotlineCommand<typeof SlaPoliciesDelete> {
  static override description = 'Delete an SLA policy (clocks it started on tickets keep running)';
  static override examples = ['<%= config.bin %> sla-policies delete standard'];
  static override args = { name: Args.string({ description: 'policy name', required: true }) };

  async run(): Promise<{ deleted: string }> {
    await this.client().slaPolicies.delete(this.args.name);
    this.note(`deleted SLA policy ${this.args.name}`);
    return { deleted: this.args.name };
  }
}
