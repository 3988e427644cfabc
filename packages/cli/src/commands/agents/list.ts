import type { Agent } from '@hotline/server/client';
import { HotlineCommand } from '../../base.js';
import { agentColumns } from '../../views.js';

export default class AgentsList extends HotlineCommand<typeof AgentsList> {
  static override description = 'List agents';
  static override examples = ['<%= config.bin %> agents list', '<%= config.bin %> agents list --json'];

  async run(): Promise<Agent[]> {
    const agents = await this.client().agents.list();
    this.table(agents, agentColumns, '(no agents)');
    return agents;
  }
}
