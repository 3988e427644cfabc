import type { DialNumber } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { numberRecord } from '../../views.js';

export default class NumbersShow extends HotlineCommand<typeof NumbersShow> {
  static override description = 'Show a number and its target';
  static override examples = ['<%= config.bin %> numbers show +4930123456', '<%= config.bin %> numbers show +4930123456 --json'];
  static override args = { number: Args.string({ description: 'the number', required: true }) };

  async run(): Promise<DialNumber> {
    const n = await this.client().numbers.get(this.args.number);
    this.record(numberRecord(n));
    return n;
  }
}
