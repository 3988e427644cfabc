import type { AgentWithSecret } from '@hotline/server/client';
import { Args, Flags } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { defined, parseSkills, skillFlag, usageError } from '../../flags.js';
import { agentRecord } from '../../views.js';

export default class AgentsCreate extends HotlineCommand<typeof AgentsCreate> {
  static override description = 'Create an agent (a generated SIP password is shown only once)';
  static override examples = [
    '<%= config.bin %> agents create 1001 --name "Ann Lee" --skill billing=7 --skill sales=3',
    '<%= config.bin %> agents create --extension 1002 --name Bob --user bob --generate-password',
    '<%= config.bin %> agents create 1003 --name Cy --password "$SIP_PASSWORD" --json',
  ];
  static override args = {
    extension: Args.string({ description: 'extension, 2-15 digits (or use --extension)' }),
  };
  static override flags = {
    extension: Flags.string({ description: 'extension, 2-15 digits (instead of the argument)' }),
    name: Flags.string({ description: 'display name', required: true }),
    user: Flags.string({ description: 'user who logs in as this agent' }),
    skill: skillFlag,
    'max-chats': Flags.integer({ description: 'concurrent chats, 1-20 (default 1)' }),
    password: Flags.string({ description: 'SIP password, 8-128 characters', exclusive: ['generate-password'] }),
    'generate-password': Flags.boolean({ description: 'generate a SIP password and print it once', exclusive: ['password'] }),
  };

  async run(): Promise<AgentWithSecret> {
    const f = this.flags;
    if (this.args.extension && f.extension && this.args.extension !== f.extension) {
      throw usageError(`two different extensions given: ${this.args.extension} and --extension ${f.extension}`);
    }
    const extension = this.args.extension ?? f.extension;
    if (!extension) throw usageError('missing extension: give it as the argument or with --extension');
    const agent = await this.client().agents.create({
      extension,
      name: f.name,
      ...defined({ user: f.user, skills: parseSkills(f.skill), maxChats: f['max-chats'], password: f.password }),
      ...(f['generate-password'] ? { generatePassword: true } : {}),
    });
    this.record(agentRecord(agent));
    if (agent.sipPassword) this.note('note: the generated SIP password is shown only this once; store it now');
    return agent;
  }
}
