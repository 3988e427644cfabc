import { Args } from '@oclif/core';
import { HotlineCommand } from '../../base.js';

export default class TrunksDelete extends HotlineCommand<typeof TrunksDelete> {
  static override description = 'Delete a trunk';
  static override examples = ['<%= config.bin %> trunks delete carrier1', '<%= config.bin %> trunks delete carrier1 --json'];
  static override args = { name: Args.string({ description: 'trunk name', required: true }) };

  async run(): Promise<{ deleted: string }> {
    await this.client().trunks.delete(this.args.name);
    this.note(`deleted trunk ${this.args.name}`);
    return { deleted: this.args.name };
  }
}
