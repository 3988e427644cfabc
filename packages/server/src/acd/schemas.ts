import { Type, type Static } from '@sinclair/typebox';

/** Object schema that rejects unknown fields (the path of the unknown field is reported). */
export const Strict = <T extends Parameters<typeof Type.Object>[0]>(props: T, opts: { description?: string; $id?: string } = {}) =>
  Type.Object(props, { additionalProperties: false, ...opts });

export const Name = Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,63}$', description: 'lower-case letters, digits, `.`, `_`, `-`; 1-64 characters' });
export const Extension = Type.String({ pattern: '^[0-9]{2,15}$', description: '2-15 digits' });
export const Label = Type.String({ minLength: 1, maxLength: 128 });
export const Proficiency = Type.Integer({ minimum: 1, maximum: 10 });
export const SkillMap = Type.Record(Name, Proficiency, { description: 'skill name -> proficiency 1-10' });

export const Skill = Strict({ id: Type.Integer(), name: Name, description: Type.String() });
export const SkillInput = Strict({ name: Name, description: Type.Optional(Type.String({ maxLength: 255 })) });
export const SkillPatch = Strict({ description: Type.Optional(Type.String({ maxLength: 255 })) });

export const Agent = Strict({
  id: Type.Integer(),
  extension: Extension,
  name: Label,
  user: Type.Union([Name, Type.Null()]),
  skills: SkillMap,
  maxChats: Type.Integer(),
  hasSipCredentials: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
const agentFields = {
  name: Type.Optional(Label),
  user: Type.Optional(Type.Union([Name, Type.Null()], { description: 'user who logs in as this agent' })),
  skills: Type.Optional(SkillMap),
  maxChats: Type.Optional(Type.Integer({ minimum: 1, maximum: 20, description: 'concurrent chats, 1-20' })),
  password: Type.Optional(Type.String({ minLength: 8, maxLength: 128, description: 'SIP password; stored only as digest HA1' })),
  generatePassword: Type.Optional(Type.Boolean({ description: 'generate a SIP password and return it once' })),
};
export const AgentInput = Strict({ extension: Extension, ...agentFields, name: Label });
export const AgentPatch = Strict(agentFields);
/** Returned by create/update: the agent, plus the generated SIP password exactly once. */
export const AgentWithSecret = Type.Intersect([Agent, Type.Object({ sipPassword: Type.Optional(Type.String()) })]);

export const STRATEGIES = ['ring-all', 'longest-idle', 'round-robin', 'fewest-calls', 'least-recent', 'random', 'linear', 'skills-weighted'] as const;
export const Strategy = Type.Union(STRATEGIES.map((s) => Type.Literal(s)), { description: 'ACD strategy' });

export const QueueSettings = Strict({
  serviceLevelSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600, default: 20, description: 'service-level threshold' })),
  maxWaitSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 86400, default: 0, description: '0 = unlimited' })),
  maxCallers: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000, default: 0, description: '0 = unlimited' })),
  ringTimeoutSeconds: Type.Optional(Type.Integer({ minimum: 5, maximum: 300, default: 15 })),
  wrapUpSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 3600, default: 10 })),
  priority: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, default: 0 })),
  announcePositionSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 3600, default: 0, description: '0 = never' })),
  joinWhenEmpty: Type.Optional(Type.Boolean({ default: true, description: 'accept callers when no agent is logged in' })),
  requiredSkills: Type.Optional(SkillMap),
});
export type QueueSettings = Required<Static<typeof QueueSettings>>;
export const defaultQueueSettings: QueueSettings = {
  serviceLevelSeconds: 20,
  maxWaitSeconds: 0,
  maxCallers: 0,
  ringTimeoutSeconds: 15,
  wrapUpSeconds: 10,
  priority: 0,
  announcePositionSeconds: 0,
  joinWhenEmpty: true,
  requiredSkills: {},
};

export const Member = Strict({
  agent: Extension,
  name: Type.String(),
  penalty: Type.Integer(),
  level: Type.Integer(),
});
export const MemberInput = Strict({
  agent: Extension,
  penalty: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, default: 0, description: 'higher = offered later' })),
  level: Type.Optional(Type.Integer({ minimum: 1, maximum: 10, default: 1, description: 'escalation level (1 = first)' })),
});
export const Queue = Strict({
  id: Type.Integer(),
  name: Name,
  strategy: Strategy,
  settings: QueueSettings,
  members: Type.Array(Member),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export const QueueInput = Strict({ name: Name, strategy: Type.Optional(Strategy), settings: Type.Optional(QueueSettings) });
export const QueuePatch = Strict({ strategy: Type.Optional(Strategy), settings: Type.Optional(QueueSettings) });

export const PauseReason = Strict({ id: Type.Integer(), code: Name, label: Label, paid: Type.Boolean(), maxMinutes: Type.Union([Type.Integer(), Type.Null()]) });
export const PauseReasonInput = Strict({
  code: Name,
  label: Label,
  paid: Type.Optional(Type.Boolean()),
  maxMinutes: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 1440 }), Type.Null()])),
});
export const PauseReasonPatch = Strict({
  label: Type.Optional(Label),
  paid: Type.Optional(Type.Boolean()),
  maxMinutes: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 1440 }), Type.Null()])),
});
export const Disposition = Strict({ id: Type.Integer(), code: Name, label: Label, requiresNote: Type.Boolean() });
export const DispositionInput = Strict({ code: Name, label: Label, requiresNote: Type.Optional(Type.Boolean()) });
export const DispositionPatch = Strict({ label: Type.Optional(Label), requiresNote: Type.Optional(Type.Boolean()) });

export type Skill = Static<typeof Skill>;
export type SkillInput = Static<typeof SkillInput>;
export type SkillPatch = Static<typeof SkillPatch>;
export type Agent = Static<typeof Agent>;
export type AgentInput = Static<typeof AgentInput>;
export type AgentPatch = Static<typeof AgentPatch>;
export type AgentWithSecret = Static<typeof AgentWithSecret>;
export type Strategy = Static<typeof Strategy>;
export type Member = Static<typeof Member>;
export type MemberInput = Static<typeof MemberInput>;
export type Queue = Static<typeof Queue>;
export type QueueInput = Static<typeof QueueInput>;
export type QueuePatch = Static<typeof QueuePatch>;
export type PauseReason = Static<typeof PauseReason>;
export type PauseReasonInput = Static<typeof PauseReasonInput>;
export type PauseReasonPatch = Static<typeof PauseReasonPatch>;
export type Disposition = Static<typeof Disposition>;
export type DispositionInput = Static<typeof DispositionInput>;
export type DispositionPatch = Static<typeof DispositionPatch>;
