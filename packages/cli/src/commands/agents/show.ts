import type { Agent } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { agentRecord } from '../../views.js';

export default class AgentsShow extends HotlineCommand<typeof AgentsShow> {
  static override description = 'Show an agent';
  static override examples = ['<%= config.bin %> agents show 1001', '<%= config.bin %> agents show 1001 --json'];
  static override args = { extension: Args.string({ description: 'extension of the agent', required: true }) };

  async run(): Promise<Agent> {
    const agent = await this.client().agents.get(this.args.extension);
    this.record(agentRecord(agent));
    return agent;
  }
}
