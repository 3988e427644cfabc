import type { Trunk } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { trunkRecord } from '../../views.js';

export default class TrunksShow extends HotlineCommand<typeof TrunksShow> {
  static override description = 'Show a trunk (passwords are never shown)';
  static override examples = ['<%= config.bin %> trunks show carrier1', '<%= config.bin %> trunks show carrier1 --json'];
  static override args = { name: Args.string({ description: 'trunk name', required: true }) };

  async run(): Promise<Trunk> {
    const trunk = await this.client().trunks.get(this.args.name);
    this.record(trunkRecord(trunk));
    return trunk;
  }
}
