import type { Editor } from '@hotline/server/client';
import { HotlineCommand } from '../../../base.js';

export default class KbEditorsList extends HotlineCommand<typeof KbEditorsList> {
  static override description = 'List the users holding the KB editor capability (admins always hold it)';
  static override examples = ['<%= config.bin %> kb editors list'];

  async run(): Promise<Editor[]> {
    const e = await this.client().kb.editors.list();
    this.table(e, [
      { header: 'user', get: (x) => x.user },
      { header: 'role', get: (x) => x.role },
      { header: 'granted by', get: (x) => x.grantedBy },
      { header: 'since', get: (x) => x.createdAt },
    ], '(no editors besides admins)');
    return e;
  }
}
