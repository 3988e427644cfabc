import type { Trunk } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { requireSome, trunkFields, trunkFlags } from '../../flags.js';
import { trunkRecord } from '../../views.js';

export default class TrunksUpdate extends HotlineCommand<typeof TrunksUpdate> {
  static override description = 'Change a trunk (only the given fields change)';
  static override examples = [
    '<%= config.bin %> trunks update carrier1 --port 5080 --transport tcp',
    '<%= config.bin %> trunks update carrier1 --inbound-cidr 203.0.113.0/24 --disabled',
    '<%= config.bin %> trunks update carrier1 --password "$OUT_PW" --json',
  ];
  static override args = { name: Args.string({ description: 'trunk name', required: true }) };
  static override flags = trunkFlags;

  async run(): Promise<Trunk> {
    const patch = trunkFields(this.flags);
    requireSome(patch, '--description, --inbound-cidr, --inbound-username, --inbound-password, --host, --port, --transport, --username, --password, --register, --max-calls, --enabled, --disabled');
    const trunk = await this.client().trunks.update(this.args.name, patch);
    this.record(trunkRecord(trunk));
    return trunk;
  }
}
