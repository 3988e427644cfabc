import type { Rendered } from '@hotline/server/client';
import { Args, Flags } from '@oclif/core';
import { HotlineCommand } from '../../base.js';
import { usageError } from '../../flags.js';

export default class KbRender extends HotlineCommand<typeof KbRender> {
  static override description = 'Fill a phrase\'s placeholders ({{customer.name}}, {{agent.name}}, {{call.number}}, ...)';
  static override examples = ['<%= config.bin %> kb render 7 --var customer.name=Ada --var agent.name=Bob'];
  static override args = { id: Args.string({ description: 'phrase article id', required: true }) };
  static override flags = { var: Flags.string({ description: 'NAME=VALUE (repeatable)', multiple: true, helpValue: 'NAME=VALUE' }) };

  async run(): Promise<Rendered> {
    const vars: Record<string, string> = {};
    for (const raw of this.flags.var ?? []) {
      const i = raw.indexOf('=');
      if (i <= 0) throw usageError(`--var expects NAME=VALUE, got ${JSON.stringify(raw)}`);
      vars[raw.slice(0, i).trim()] = raw.slice(i + 1);
    }
    const r = await this.client().kb.articles.render(this.args.id, vars);
    if (!this.jsonEnabled()) this.log(r.text);
    if (r.missing.length) this.note(`no value for: ${r.missing.join(', ')}`);
    return r;
  }
}
