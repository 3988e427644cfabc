import type { DialNumber } from '@hotline/server/client';
import { Args, Flags } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { defined, NUMBER_TARGET_HELP } from '../../flags.js';
import { numberRecord } from '../../views.js';

export default class NumbersCreate extends HotlineCommand<typeof NumbersCreate> {
  static override description = 'Create a number (DID) and route it to an agent, a queue or a flow';
  static override examples = [
    '<%= config.bin %> numbers create +4930123456 --target queue:support --description "Support hotline"',
    '<%= config.bin %> numbers create 4930123499 --target agent:1001 --json',
  ];
  static override args = { number: Args.string({ description: 'the number: optional +, 2-20 digits', required: true }) };
  static override flags = {
    target: Flags.string({ description: NUMBER_TARGET_HELP, helpValue: 'TYPE:KEY', required: true }),
    description: Flags.string({ description: 'what the number is for' }),
  };

  async run(): Promise<DialNumber> {
    const n = await this.client().numbers.create({ number: this.args.number, target: this.flags.target, ...defined({ description: this.flags.description }) });
    this.record(numberRecord(n));
    return n;
  }
}
