import type { Agent } from '@hotline/server/client';
import { HotlineCommand } from '../../base.js';

export default class AgentsList extends HotlineCommand<typeof AgentsList> {
  static override description = 'List agents';
  static override examples = ['<%= config.bin %> agents list', '<%= config.bin %> agents list --json'];

  async run(): Promise<Agent[]> {
    const agents = await this.client().agents.list();
    this.table(agents, [
      { header: 'extension', get: (a) => a.extension },
      { header: 'name', get: (a) => a.name },
      { header: 'user', get: (a) => a.user },
      { header: 'skills', get: (a) => a.skills },
      { header: 'max chats', get: (a) => a.maxChats },
      { header: 'sip', get: (a) => (a.hasSipCredentials ? 'yes' : 'no') },
    ], '(no agents)');
    return agents;
  }
}
