import type { DialNumber } from '@hotline/server/client';
import { Args, Flags } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { defined, NUMBER_TARGET_HELP, requireSome } from '../../flags.js';
import { numberRecord } from '../../views.js';

export default class NumbersUpdate extends HotlineCommand<typeof NumbersUpdate> {
  static override description = 'Change where a number goes, or its description';
  static override examples = ['<%= config.bin %> numbers update +4930123456 --target queue:billing'];
  static override args = { number: Args.string({ description: 'the number', required: true }) };
  static override flags = {
    target: Flags.string({ description: NUMBER_TARGET_HELP, helpValue: 'TYPE:KEY' }),
    description: Flags.string({ description: 'what the number is for' }),
  };

  async run(): Promise<DialNumber> {
    const patch = defined({ target: this.flags.target, description: this.flags.description });
    requireSome(patch, '--target, --description');
    const n = await this.client().numbers.update(this.args.number, patch);
    this.record(numberRecord(n));
    return n;
  }
}
