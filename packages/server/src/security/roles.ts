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
  | 'security:write';

const READ_ALL: Permission[] = [
  'status:read', 'agents:read', 'queues:read', 'skills:read', 'catalog:read', 'users:read', 'events:read', 'center:read',
  'trunks:read', 'numbers:read', 'security:read',
];

export const rolePermissions: Record<Role, ReadonlySet<Permission>> = {
  admin: new Set<Permission>([
    ...READ_ALL, 'agents:write', 'queues:write', 'members:write', 'skills:write', 'catalog:write', 'users:write',
    'tokens:all', 'audit:read', 'center:write', 'trunks:write', 'numbers:write', 'security:write',
  ]),
  // Supervisors watch everything live and staff their queues, but do not create objects or users.
  supervisor: new Set<Permission>([...READ_ALL, 'members:write']),
  // Auditors read everything, including the audit log, and change nothing.
  auditor: new Set<Permission>([...READ_ALL, 'audit:read']),
  // Agents read the catalogs their phone needs (pause reasons, dispositions, skills) and themselves.
  agent: new Set<Permission>(['catalog:read', 'skills:read']),
};

export const roleDescriptions: Record<Role, string> = {
  admin: 'everything, including users, tokens and the audit log',
  supervisor: 'reads everything live, manages queue membership',
  agent: 'own profile, pause reasons, dispositions, skills',
  auditor: 'reads everything including the audit log; changes nothing',
};

export function can(role: string, p: Permission): boolean {
  return rolePermissions[role as Role]?.has(p) ?? false;
}
