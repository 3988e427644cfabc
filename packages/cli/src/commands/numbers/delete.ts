import { Args } from '@oclif/core';
import { HotlineCommand } from '../../base.js';

export default class NumbersDelete extends HotlineCommand<typeof NumbersDelete> {
  static override description = 'Delete a number';
  static override examples = ['<%= config.bin %> numbers delete +4930123456', '<%= config.bin %> numbers delete +4930123456 --json'];
  static override args = { number: Args.string({ description: 'the number', required: true }) };

  async run(): Promise<{ deleted: string }> {
    await this.client().numbers.delete(this.args.number);
    this.note(`deleted number ${this.args.number}`);
    return { deleted: this.args.number };
  }
}
