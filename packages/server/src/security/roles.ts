import type { Role } from './schemas.js';

/**
 * Least privilege as one table. Every API route names the permission it needs; a role grants a
 * permission only if it is listed here. `own` permissions (me, own tokens) are held by every role.
 */
export type Permission =
  | 'status:read'
  | 'agents:read'
  | 'agents:write'
  | 'queues:read'
  | 'queues:write'
  | 'members:write'
  | 'skills:read'
  | 'skills:write'
  | 'catalog:read'
  | 'catalog:write'
  | 'users:read'
  | 'users:write'
  | 'tokens:all'
  | 'audit:read'
  | 'events:read'
  | 'center:read'
  | 'center:write'
  | 'trunks:read'
  | 'trunks:write'
  | 'numbers:read'
  | 'numbers:write'
  | 'security:read'
  | 'security:write'
  /** Control live calls: hang up (supervisors and admins). */
  | 'calls:write'
  /** CRM (crm/): read and look up customers, their notes and timelines, the custom field schema. */
  | 'customers:read'
  /** Create, update, delete, merge and import customers. */
  | 'customers:write'
  /** Export every customer at once (bulk personal data). */
  | 'customers:export'
  /** Add notes to customers (and delete one's own). */
  | 'customer-notes:write'
  /** Define the custom fields of customers (the schema). */
  | 'customer-fields:write'
  /** Knowledge base (kb/): read articles, search, suggestions (what each role sees: kb/access.ts). */
  | 'kb:read'
  /** Edit the KB: only users holding the KB editor capability (kb_editors; admins always) get past the handler. */
  | 'kb:edit'
  /** KB category rules and the list of KB editors. */
  | 'kb:admin'
  /** Tickets (tickets/): read tickets, their comments and history. */
  | 'tickets:read'
  /** Create tickets and comment; change tickets (callers without tickets:manage: only unassigned ones or their own). */
  | 'tickets:write'
  /** Change and assign any ticket (checked in tickets/tickets.ts, not by a route). */
  | 'tickets:manage'
  /** Business calendars and SLA policies (tickets/calendars.ts). */
  | 'sla:write'
  /** Workflow rules (workflow/): read rules. */
  | 'rules:read'
  /** Dry-run a rule against an event (changes nothing). */
  | 'rules:test'
  /** Create, change, enable, disable and delete rules. */
  | 'rules:write'
  /** Scheduled callbacks (workflow/callbacks.ts): read them. */
  | 'callbacks:read'
  /** Schedule and cancel callbacks (any agent's: there is no ACD yet to own them). */
  | 'callbacks:write'
  /** Export everything held about one person (crm/privacy.ts). */
  | 'privacy:read'
  /** Erase a person everywhere (crm/privacy.ts). */
  | 'privacy:erase';

const READ_ALL: Permission[] = [
  'status:read', 'agents:read', 'queues:read', 'skills:read', 'catalog:read', 'users:read', 'events:read', 'center:read',
  'trunks:read', 'numbers:read', 'security:read', 'customers:read', 'kb:read', 'tickets:read', 'rules:read',
  'callbacks:read',
];

export const rolePermissions: Record<Role, ReadonlySet<Permission>> = {
  admin: new Set<Permission>([
    ...READ_ALL, 'agents:write', 'queues:write', 'members:write', 'skills:write', 'catalog:write', 'users:write',
    'tokens:all', 'audit:read', 'center:write', 'trunks:write', 'numbers:write', 'security:write', 'calls:write',
    'customers:write', 'customers:export', 'customer-notes:write', 'customer-fields:write',
    'kb:edit', 'kb:admin', 'tickets:write', 'tickets:manage', 'sla:write', 'rules:test', 'rules:write', 'privacy:read', 'privacy:erase',
    'callbacks:write',
  ]),
  // Supervisors watch everything live and staff their queues, but do not create objects or users.
  // They also manage customers (not the custom field schema, which is the admins').
  supervisor: new Set<Permission>([...READ_ALL, 'members:write', 'calls:write', 'customers:write', 'customers:export', 'customer-notes:write', 'kb:edit', 'tickets:write', 'tickets:manage', 'sla:write', 'rules:test', 'callbacks:write']),
  // Auditors read everything, including the audit log, and change nothing.
  auditor: new Set<Permission>([...READ_ALL, 'audit:read', 'customers:export', 'privacy:read']),
  // Agents read the catalogs their phone needs (pause reasons, dispositions, skills) and themselves;
  // they read and look up customers and add notes, but neither change nor bulk-export customers.
  agent: new Set<Permission>(['catalog:read', 'skills:read', 'customers:read', 'customer-notes:write', 'kb:read', 'kb:edit', 'tickets:read', 'tickets:write', 'callbacks:read', 'callbacks:write']),
};

export const roleDescriptions: Record<Role, string> = {
  admin: 'everything, including users, tokens and the audit log',
  supervisor: 'reads everything live, manages queue membership, customers, tickets and callbacks, hangs up live calls',
  agent: 'own profile, pause reasons, dispositions, skills; reads customers and adds notes; creates and comments tickets, changes unassigned or own tickets; schedules and cancels callbacks',
  auditor: 'reads everything including the audit log; changes nothing',
};

export function can(role: string, p: Permission): boolean {
  return rolePermissions[role as Role]?.has(p) ?? false;
}
