import type { CustomField } from '@hotline/server/client';
import { Args, Flags } from '@oclif/core';
import { HotlineCommand } from '../../../base.js';
import { fieldColumns } from '../../../customers.js';
import { defined } from '../../../flags.js';

export default class CustomersFieldsCreate extends HotlineCommand<typeof CustomersFieldsCreate> {
  static override description = 'Define a custom field of customers (admins only)';
  static override examples = [
    '<%= config.bin %> customers fields create account_no --type string --required',
    '<%= config.bin %> customers fields create tier --type enum --value gold --value silver --value bronze',
    '<%= config.bin %> customers fields create since --type date --description "customer since (YYYY-MM-DD)"',
  ];
  static override args = { name: Args.string({ description: 'field name: lower-case letter, then letters, digits, _', required: true }) };
  static override flags = {
    type: Flags.string({ description: 'value type', options: ['string', 'number', 'boolean', 'date', 'enum'], required: true }),
    required: Flags.boolean({ description: 'new customers must have a value' }),
    value: Flags.string({ description: 'an allowed value of an enum field (repeatable)', multiple: true }),
    description: Flags.string({ description: 'what the field means' }),
  };

  async run(): Promise<CustomField> {
    const f = this.flags;
    const field = await this.client().customerFields.create({
      name: this.args.name, type: f.type as CustomField['type'], ...defined({ required: f.required || undefined, enumValues: f.value, description: f.description }),
    });
    this.table([field], fieldColumns);
    return field;
  }
}
