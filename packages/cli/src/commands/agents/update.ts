import type { AgentWithSecret } from '@hotline/server/client';
import { Args, Flags } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { defined, parseSkills, requireSome, skillFlag } from '../../flags.js';
import { agentRecord } from '../../views.js';

export default class AgentsUpdate extends HotlineCommand<typeof AgentsUpdate> {
  static override description = 'Change an agent (only the given fields change)';
  static override examples = [
    '<%= config.bin %> agents update 1001 --name "Ann Lee-Smith" --max-chats 3',
    '<%= config.bin %> agents update 1001 --skill billing=9 --skill sales=2',
    '<%= config.bin %> agents update 1001 --generate-password',
  ];
  static override args = { extension: Args.string({ description: 'extension of the agent', required: true }) };
  static override flags = {
    name: Flags.string({ description: 'display name' }),
    user: Flags.string({ description: 'user who logs in as this agent', exclusive: ['clear-user'] }),
    'clear-user': Flags.boolean({ description: 'unlink the agent from its user', exclusive: ['user'] }),
    skill: skillFlag,
    'max-chats': Flags.integer({ description: 'concurrent chats, 1-20' }),
    password: Flags.string({ description: 'new SIP password, 8-128 characters', exclusive: ['generate-password'] }),
    'generate-password': Flags.boolean({ description: 'generate a new SIP password and print it once', exclusive: ['password'] }),
  };

  async run(): Promise<AgentWithSecret> {
    const f = this.flags;
    const patch = defined({
      name: f.name,
      user: f['clear-user'] ? null : f.user,
      skills: parseSkills(f.skill),
      maxChats: f['max-chats'],
      password: f.password,
      generatePassword: f['generate-password'] || undefined,
    });
    requireSome(patch, '--name, --user, --clear-user, --skill, --max-chats, --password, --generate-password');
    const agent = await this.client().agents.update(this.args.extension, patch);
    this.record(agentRecord(agent));
    if (agent.sipPassword) this.note('note: the generated SIP password is shown only this once; store it now');
    return agent;
  }
}
