import type { Member } from '@hotline/server/client';
import { Args, Flags } from '@oclif/core';
import { HotlineCommand } from '../../../base.js';
import { defined } from '../../../flags.js';

export default class QueuesMembersAdd extends HotlineCommand<typeof QueuesMembersAdd> {
  static override description = 'Add an agent to a queue, or change its penalty and level if it is already a member';
  static override examples = [
    '<%= config.bin %> queues members add support 1001',
    '<%= config.bin %> queues members add support 1002 --penalty 5 --level 2',
  ];
  static override args = {
    queue: Args.string({ description: 'queue name', required: true }),
    extension: Args.string({ description: 'extension of the agent', required: true }),
  };
  static override flags = {
    penalty: Flags.integer({ description: '0-100, higher is offered later (default 0)' }),
    level: Flags.integer({ description: 'escalation level 1-10, 1 is offered first (default 1)' }),
  };

  async run(): Promise<Member> {
    const { queue, extension } = this.args;
    const member = await this.client().queues.members.add(queue, { agent: extension, ...defined({ penalty: this.flags.penalty, level: this.flags.level }) });
    this.record([['queue', queue], ['agent', member.agent], ['name', member.name], ['penalty', member.penalty], ['level', member.level]]);
    return member;
  }
}
