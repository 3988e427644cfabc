import type { Registration } from '@hotline/server/client';
import { HotlineCommand } from '../../base.js';
import { registrationColumns } from '../../views.js';

export default class RegistrationsList extends HotlineCommand<typeof RegistrationsList> {
  static override description = "List the agents' registered SIP devices (contacts), as known to the server answering";
  static override examples = ['<%= config.bin %> registrations list', '<%= config.bin %> registrations list --json'];

  async run(): Promise<Registration[]> {
    const registrations = await this.client().registrations.list();
    this.table(registrations, registrationColumns, '(no registrations)');
    return registrations;
  }
}
