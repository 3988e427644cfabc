import type { DialNumber } from '@hotline/server/client';
import { HotlineCommand } from '../../base.js';
import { numberColumns } from '../../views.js';

export default class NumbersList extends HotlineCommand<typeof NumbersList> {
  static override description = 'List numbers and their targets';
  static override examples = ['<%= config.bin %> numbers list', '<%= config.bin %> numbers list --json'];

  async run(): Promise<DialNumber[]> {
    const numbers = await this.client().numbers.list();
    this.table(numbers, numberColumns, '(no numbers)');
    return numbers;
  }
}
