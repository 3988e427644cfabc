import type { Trunk } from '@hotline/server/client';
import { Args } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { trunkFields, trunkFlags, usageError } from '../../flags.js';
import { trunkRecord } from '../../views.js';

export default class TrunksCreate extends HotlineCommand<typeof TrunksCreate> {
  static override description = 'Create a carrier trunk (inbound by source network and/or digest; passwords are never shown)';
  static override examples = [
    '<%= config.bin %> trunks create carrier1 --host sip.carrier.example --inbound-cidr 203.0.113.0/24 --inbound-cidr 198.51.100.7',
    '<%= config.bin %> trunks create carrier2 --host 192.0.2.10 --transport tcp --inbound-username hotline --inbound-password "$IN_PW" --username acct42 --password "$OUT_PW" --register',
  ];
  static override args = { name: Args.string({ description: 'trunk name (lower-case letters, digits, . _ -)', required: true }) };
  static override flags = trunkFlags;

  async run(): Promise<Trunk> {
    const { host, ...fields } = trunkFields(this.flags);
    if (!host) throw usageError('missing --host: the carrier host name or IP address');
    const trunk = await this.client().trunks.create({ name: this.args.name, host, ...fields });
    this.record(trunkRecord(trunk));
    return trunk;
  }
}
