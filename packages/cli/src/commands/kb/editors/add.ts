import type { Editor } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { HotlineCommand } from '../../../base.js';

export default class KbEditorsAdd extends HotlineCommand<typeof KbEditorsAdd> {
  static override description = 'Make a user a KB editor (not auditors)';
  static override examples = ['<%= config.bin %> kb editors add alice'];
  static override args = { user: Args.string({ description: 'user name', required: true }) };

  async run(): Promise<Editor> {
    const e = await this.client().kb.editors.add(this.args.user);
    this.note(`${e.user} (${e.role}) is a KB editor`);
    return e;
  }
}
