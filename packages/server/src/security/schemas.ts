import { Type, type Static } from '@sinclair/typebox';
import { Name, Strict } from '../acd/schemas.js';

export const ROLES = ['admin', 'supervisor', 'agent', 'auditor'] as const;
export const Role = Type.Union(ROLES.map((r) => Type.Literal(r)), { description: 'admin, supervisor, agent or auditor' });

export const User = Strict({
  id: Type.Integer(),
  name: Name,
  displayName: Type.String(),
  role: Role,
  disabled: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export const UserInput = Strict({ name: Name, role: Role, displayName: Type.Optional(Type.String({ maxLength: 128 })) });
export const UserPatch = Strict({
  role: Type.Optional(Role),
  displayName: Type.Optional(Type.String({ maxLength: 128 })),
  disabled: Type.Optional(Type.Boolean()),
});

export const Token = Strict({
  id: Type.String({ description: 'public token id (the part after `hlt_`)' }),
  name: Type.String(),
  user: Name,
  createdAt: Type.String(),
  expiresAt: Type.Union([Type.String(), Type.Null()]),
  lastUsedAt: Type.Union([Type.String(), Type.Null()]),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
});
export const TokenInput = Strict({
  name: Type.String({ minLength: 1, maxLength: 64 }),
  user: Type.Optional(Name),
  expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
});
export const NewToken = Type.Intersect([Token, Type.Object({ token: Type.String({ description: 'shown once' }) })]);

export const AuditEntry = Strict({
  id: Type.Integer(),
  at: Type.String(),
  actor: Type.String(),
  source: Type.String(),
  action: Type.String(),
  subjectType: Type.String(),
  subjectId: Type.String(),
  before: Type.Unknown(),
  after: Type.Unknown(),
});

export type Role = Static<typeof Role>;
export type User = Static<typeof User>;
export type UserInput = Static<typeof UserInput>;
export type UserPatch = Static<typeof UserPatch>;
export type Token = Static<typeof Token>;
export type TokenInput = Static<typeof TokenInput>;
export type NewToken = Static<typeof NewToken>;
export type AuditEntry = Static<typeof AuditEntry>;
