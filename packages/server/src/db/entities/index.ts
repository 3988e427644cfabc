import 'reflect-metadata';
import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { boolInt, jsonText } from '../columns.js';
import { callbackEntities } from './callbacks.js';
import { kbEntities } from './kb.js';
import { ruleEntities } from './rules.js';
import { ticketEntities } from './tickets.js';

export * from './callbacks.js';
export * from './kb.js';
export * from './rules.js';
export * from './tickets.js';

/*
 * Every column has an explicit type so that the schema does not depend on decorator metadata and is
 * the same on SQLite and MySQL. Migrations (db/migrations/<dialect>) create exactly these tables; a
 * test asserts that TypeORM finds nothing to synchronize after they ran.
 */

@Entity({ name: 'roles' })
export class RoleRow {
  @PrimaryColumn({ type: 'varchar', length: 32 }) name!: string;
  @Column({ type: 'varchar', length: 255 }) description!: string;
}

@Entity({ name: 'users' })
export class UserRow {
  @PrimaryGeneratedColumn({ type: 'int' }) id!: number;
  @Index('uq_users_name', { unique: true })
  @Column({ type: 'varchar', length: 64 }) name!: string;
  @Column({ type: 'varchar', length: 128, name: 'display_name' }) displayName!: string;
  @Column({ type: 'varchar', length: 32 }) role!: string;
  @Column({ type: 'int', default: 0, transformer: boolInt }) disabled!: boolean;
  @Column({ type: 'datetime', precision: 3, name: 'created_at' }) createdAt!: Date;
  @Column({ type: 'datetime', precision: 3, name: 'updated_at' }) updatedAt!: Date;
}

@Entity({ name: 'api_tokens' })
export class TokenRow {
  @PrimaryGeneratedColumn({ type: 'int' }) id!: number;
  @Index('uq_api_tokens_public_id', { unique: true })
  @Column({ type: 'varchar', length: 16, name: 'public_id' }) publicId!: string;
  @Column({ type: 'int', name: 'user_id' }) userId!: number;
  @Column({ type: 'varchar', length: 64 }) name!: string;
  /** SHA-256 (hex) of the whole token; the token itself is never stored. */
  @Column({ type: 'varchar', length: 64 }) hash!: string;
  @Column({ type: 'datetime', precision: 3, name: 'created_at' }) createdAt!: Date;
  @Column({ type: 'datetime', precision: 3, name: 'expires_at', nullable: true }) expiresAt!: Date | null;
  @Column({ type: 'datetime', precision: 3, name: 'last_used_at', nullable: true }) lastUsedAt!: Date | null;
  @Column({ type: 'datetime', precision: 3, name: 'revoked_at', nullable: true }) revokedAt!: Date | null;
}

@Entity({ name: 'skills' })
export class SkillRow {
  @PrimaryGeneratedColumn({ type: 'int' }) id!: number;
  @Index('uq_skills_name', { unique: true })
  @Column({ type: 'varchar', length: 64 }) name!: string;
  @Column({ type: 'varchar', length: 255, default: '' }) description!: string;
}

@Entity({ name: 'agents' })
export class AgentRow {
  @PrimaryGeneratedColumn({ type: 'int' }) id!: number;
  @Index('uq_agents_extension', { unique: true })
  @Column({ type: 'varchar', length: 32 }) extension!: string;
  @Column({ type: 'varchar', length: 128 }) name!: string;
  @Column({ type: 'int', name: 'user_id', nullable: true }) userId!: number | null;
  /** Digest HA1 = H(extension:realm:password) for MD5 and SHA-256 (RFC 8760); never the password. */
  @Column({ type: 'varchar', length: 32, name: 'sip_ha1_md5', nullable: true }) sipHa1Md5!: string | null;
  @Column({ type: 'varchar', length: 64, name: 'sip_ha1_sha256', nullable: true }) sipHa1Sha256!: string | null;
  @Column({ type: 'int', name: 'max_chats', default: 1 }) maxChats!: number;
  @Column({ type: 'datetime', precision: 3, name: 'created_at' }) createdAt!: Date;
  @Column({ type: 'datetime', precision: 3, name: 'updated_at' }) updatedAt!: Date;
}

@Entity({ name: 'agent_skills' })
export class AgentSkillRow {
  @PrimaryColumn({ type: 'int', name: 'agent_id' }) agentId!: number;
  @PrimaryColumn({ type: 'int', name: 'skill_id' }) skillId!: number;
  @Column({ type: 'int' }) proficiency!: number;
}

@Entity({ name: 'queues' })
export class QueueRow {
  @PrimaryGeneratedColumn({ type: 'int' }) id!: number;
  @Index('uq_queues_name', { unique: true })
  @Column({ type: 'varchar', length: 64 }) name!: string;
  @Column({ type: 'varchar', length: 32 }) strategy!: string;
  @Column({ type: 'text', transformer: jsonText }) settings!: Record<string, unknown>;
  @Column({ type: 'datetime', precision: 3, name: 'created_at' }) createdAt!: Date;
  @Column({ type: 'datetime', precision: 3, name: 'updated_at' }) updatedAt!: Date;
}

@Entity({ name: 'queue_members' })
export class QueueMemberRow {
  @PrimaryColumn({ type: 'int', name: 'queue_id' }) queueId!: number;
  @PrimaryColumn({ type: 'int', name: 'agent_id' }) agentId!: number;
  @Column({ type: 'int' }) penalty!: number;
  @Column({ type: 'int' }) level!: number;
}

@Entity({ name: 'pause_reasons' })
export class PauseReasonRow {
  @PrimaryGeneratedColumn({ type: 'int' }) id!: number;
  @Index('uq_pause_reasons_code', { unique: true })
  @Column({ type: 'varchar', length: 64 }) code!: string;
  @Column({ type: 'varchar', length: 128 }) label!: string;
  @Column({ type: 'int', default: 0, transformer: boolInt }) paid!: boolean;
  @Column({ type: 'int', name: 'max_minutes', nullable: true }) maxMinutes!: number | null;
}

@Entity({ name: 'dispositions' })
export class DispositionRow {
  @PrimaryGeneratedColumn({ type: 'int' }) id!: number;
  @Index('uq_dispositions_code', { unique: true })
  @Column({ type: 'varchar', length: 64 }) code!: string;
  @Column({ type: 'varchar', length: 128 }) label!: string;
  @Column({ type: 'int', name: 'requires_note', default: 0, transformer: boolInt }) requiresNote!: boolean;
}

@Entity({ name: 'trunks' })
export class TrunkRow {
  @PrimaryGeneratedColumn({ type: 'int' }) id!: number;
  @Index('uq_trunks_name', { unique: true })
  @Column({ type: 'varchar', length: 64 }) name!: string;
  @Column({ type: 'varchar', length: 255, default: '' }) description!: string;
  /** Inbound: allowed source networks (CIDRs), a JSON array. */
  @Column({ type: 'text', name: 'inbound_cidrs', transformer: jsonText }) inboundCidrs!: string[];
  @Column({ type: 'varchar', length: 64, name: 'inbound_username', nullable: true }) inboundUsername!: string | null;
  /** Inbound digest HA1s (RFC 8760), like agents; never the password. */
  @Column({ type: 'varchar', length: 32, name: 'inbound_ha1_md5', nullable: true }) inboundHa1Md5!: string | null;
  @Column({ type: 'varchar', length: 64, name: 'inbound_ha1_sha256', nullable: true }) inboundHa1Sha256!: string | null;
  @Column({ type: 'varchar', length: 255 }) host!: string;
  @Column({ type: 'int', default: 5060 }) port!: number;
  @Column({ type: 'varchar', length: 8 }) transport!: string;
  @Column({ type: 'varchar', length: 128, name: 'outbound_username', nullable: true }) outboundUsername!: string | null;
  /** Outbound password sealed with AES-256-GCM (crypto/secret-box.ts): it must be usable again. */
  @Column({ type: 'text', name: 'outbound_secret', nullable: true }) outboundSecret!: string | null;
  @Column({ type: 'int', default: 0, transformer: boolInt }) register!: boolean;
  @Column({ type: 'int', name: 'max_calls', default: 0 }) maxCalls!: number;
  @Column({ type: 'text', name: 'caller_id', nullable: true, transformer: jsonText }) callerId!: Record<string, string> | null;
  @Column({ type: 'int', default: 1, transformer: boolInt }) enabled!: boolean;
  @Column({ type: 'datetime', precision: 3, name: 'created_at' }) createdAt!: Date;
  @Column({ type: 'datetime', precision: 3, name: 'updated_at' }) updatedAt!: Date;
}

@Entity({ name: 'numbers' })
export class NumberRow {
  @PrimaryGeneratedColumn({ type: 'int' }) id!: number;
  @Index('uq_numbers_number', { unique: true })
  @Column({ type: 'varchar', length: 24 }) number!: string;
  @Column({ type: 'varchar', length: 255, default: '' }) description!: string;
  /** `agent`, `queue` or `flow`; the key is the extension or the name. */
  @Column({ type: 'varchar', length: 16, name: 'target_type' }) targetType!: string;
  @Column({ type: 'varchar', length: 64, name: 'target_key' }) targetKey!: string;
  @Column({ type: 'datetime', precision: 3, name: 'created_at' }) createdAt!: Date;
  @Column({ type: 'datetime', precision: 3, name: 'updated_at' }) updatedAt!: Date;
}

@Entity({ name: 'audit_log' })
export class AuditRow {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: number | string;
  @Index('ix_audit_log_at')
  @Column({ type: 'datetime', precision: 3 }) at!: Date;
  @Column({ type: 'int', name: 'actor_user_id', nullable: true }) actorUserId!: number | null;
  @Column({ type: 'varchar', length: 64, name: 'actor_name' }) actorName!: string;
  @Column({ type: 'varchar', length: 64 }) source!: string;
  @Index('ix_audit_log_action')
  @Column({ type: 'varchar', length: 64 }) action!: string;
  @Column({ type: 'varchar', length: 32, name: 'subject_type' }) subjectType!: string;
  @Column({ type: 'varchar', length: 128, name: 'subject_id' }) subjectId!: string;
  @Column({ type: 'text', nullable: true, transformer: jsonText }) before!: unknown;
  @Column({ type: 'text', nullable: true, transformer: jsonText }) after!: unknown;
}

@Entity({ name: 'events' })
export class EventRow {
  /** The cursor: strictly increasing, committed in order (see db/writer.ts). */
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: number | string;
  @Index('ix_events_type')
  @Column({ type: 'varchar', length: 64 }) type!: string;
  @Column({ type: 'datetime', precision: 3 }) at!: Date;
  @Column({ type: 'varchar', length: 32, name: 'subject_type' }) subjectType!: string;
  @Column({ type: 'varchar', length: 128, name: 'subject_id' }) subjectId!: string;
  @Index('ix_events_agent')
  @Column({ type: 'varchar', length: 32, name: 'agent_id', nullable: true }) agentId!: string | null;
  @Index('ix_events_queue')
  @Column({ type: 'varchar', length: 64, name: 'queue_id', nullable: true }) queueId!: string | null;
  @Index('ix_events_call')
  @Column({ type: 'varchar', length: 64, name: 'call_id', nullable: true }) callId!: string | null;
  @Column({ type: 'text', transformer: jsonText }) payload!: Record<string, unknown>;
}

/** One call through the B2BUA (calls/): written as it progresses, so live calls are visible too. */
@Entity({ name: 'calls' })
export class CallRow {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  /** Indexed (migration 0013): calls are matched by a customer's number forms (crm/phone.ts#callNumberForms). */
  @Index('ix_calls_from_ext')
  @Column({ type: 'varchar', length: 32, name: 'from_ext' }) fromExt!: string;
  @Index('ix_calls_to_ext')
  @Column({ type: 'varchar', length: 32, name: 'to_ext' }) toExt!: string;
  @Column({ type: 'varchar', length: 16 }) direction!: string;
  @Column({ type: 'varchar', length: 16 }) state!: string;
  @Index('ix_calls_started_at')
  @Column({ type: 'datetime', precision: 3, name: 'started_at' }) startedAt!: Date;
  @Column({ type: 'datetime', precision: 3, name: 'ringing_at', nullable: true }) ringingAt!: Date | null;
  @Column({ type: 'datetime', precision: 3, name: 'answered_at', nullable: true }) answeredAt!: Date | null;
  @Column({ type: 'datetime', precision: 3, name: 'ended_at', nullable: true }) endedAt!: Date | null;
  /** caller | callee | system */
  @Column({ type: 'varchar', length: 8, name: 'hangup_by', nullable: true }) hangupBy!: string | null;
  /** The SIP status that ended the call (200 after an answer, else the caller's final response). */
  @Column({ type: 'int', nullable: true }) status!: number | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) reason!: string | null;
  /** The trunk an inbound call came in through or an outbound call went out through; null for internal calls. */
  @Column({ type: 'varchar', length: 64, nullable: true }) trunk!: string | null;
}

/** One outbound leg of a call: a registered contact the B2BUA offered the call to. */
@Entity({ name: 'call_legs' })
export class CallLegRow {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Index('ix_call_legs_call')
  @Column({ type: 'varchar', length: 36, name: 'call_id' }) callId!: string;
  @Column({ type: 'varchar', length: 255 }) contact!: string;
  @Column({ type: 'varchar', length: 8 }) transport!: string;
  @Column({ type: 'varchar', length: 16 }) state!: string;
  @Column({ type: 'int', nullable: true }) status!: number | null;
  @Column({ type: 'int' }) position!: number;
}

/** A customer of the CRM (crm/). Phones and emails live in their own tables, indexed for lookup. */
@Entity({ name: 'customers' })
export class CustomerRow {
  @PrimaryGeneratedColumn({ type: 'int' }) id!: number;
  @Column({ type: 'varchar', length: 200 }) name!: string;
  @Column({ type: 'varchar', length: 200, default: '' }) company!: string;
  /** name and company folded (lower case, no accents or punctuation) for duplicate detection. */
  @Index('ix_customers_name_key')
  @Column({ type: 'varchar', length: 200, name: 'name_key' }) nameKey!: string;
  @Index('ix_customers_company_key')
  @Column({ type: 'varchar', length: 200, name: 'company_key' }) companyKey!: string;
  /** BCP 47 language tag, canonical form (`en-US`). */
  @Column({ type: 'varchar', length: 35, nullable: true }) language!: string | null;
  @Column({ type: 'text', transformer: jsonText }) tags!: string[];
  @Column({ type: 'int', name: 'vip_level', default: 0 }) vipLevel!: number;
  /** Extension of the agent this customer prefers (not a foreign key: agents may go). */
  @Column({ type: 'varchar', length: 32, name: 'preferred_agent', nullable: true }) preferredAgent!: string | null;
  /** Values of the admin-defined custom fields (customer_fields), a JSON object. */
  @Column({ type: 'text', transformer: jsonText }) custom!: Record<string, unknown>;
  @Column({ type: 'datetime', precision: 3, name: 'created_at' }) createdAt!: Date;
  @Column({ type: 'datetime', precision: 3, name: 'updated_at' }) updatedAt!: Date;
}

/** A phone number of a customer, E.164 (`+14155550100`), with its extension apart. */
@Entity({ name: 'customer_phones' })
export class CustomerPhoneRow {
  @PrimaryGeneratedColumn({ type: 'int' }) id!: number;
  @Index('ix_customer_phones_customer')
  @Column({ type: 'int', name: 'customer_id' }) customerId!: number;
  @Index('ix_customer_phones_number')
  @Column({ type: 'varchar', length: 16 }) number!: string;
  @Column({ type: 'varchar', length: 16, nullable: true }) ext!: string | null;
  @Column({ type: 'varchar', length: 32, nullable: true }) label!: string | null;
  @Column({ type: 'int' }) position!: number;
}

/** An email address of a customer; `email_lower` is what lookups and duplicate checks compare. */
@Entity({ name: 'customer_emails' })
export class CustomerEmailRow {
  @PrimaryGeneratedColumn({ type: 'int' }) id!: number;
  @Index('ix_customer_emails_customer')
  @Column({ type: 'int', name: 'customer_id' }) customerId!: number;
  @Column({ type: 'varchar', length: 254 }) email!: string;
  @Index('ix_customer_emails_lower')
  @Column({ type: 'varchar', length: 254, name: 'email_lower' }) emailLower!: string;
  @Column({ type: 'int' }) position!: number;
}

@Entity({ name: 'customer_notes' })
export class CustomerNoteRow {
  @PrimaryGeneratedColumn({ type: 'int' }) id!: number;
  @Index('ix_customer_notes_customer')
  @Column({ type: 'int', name: 'customer_id' }) customerId!: number;
  /** User name of the author. */
  @Column({ type: 'varchar', length: 64 }) author!: string;
  @Column({ type: 'text' }) text!: string;
  @Column({ type: 'datetime', precision: 3, name: 'created_at' }) createdAt!: Date;
}

/** The admin-defined schema of customers' custom fields. */
@Entity({ name: 'customer_fields' })
export class CustomerFieldRow {
  @PrimaryGeneratedColumn({ type: 'int' }) id!: number;
  @Index('uq_customer_fields_name', { unique: true })
  @Column({ type: 'varchar', length: 40 }) name!: string;
  /** string | number | boolean | date | enum */
  @Column({ type: 'varchar', length: 16 }) type!: string;
  @Column({ type: 'int', default: 0, transformer: boolInt }) required!: boolean;
  @Column({ type: 'text', name: 'enum_values', nullable: true, transformer: jsonText }) enumValues!: string[] | null;
  @Column({ type: 'varchar', length: 255, default: '' }) description!: string;
  @Column({ type: 'datetime', precision: 3, name: 'created_at' }) createdAt!: Date;
}

export const entities = [
  RoleRow,
  UserRow,
  TokenRow,
  SkillRow,
  AgentRow,
  AgentSkillRow,
  QueueRow,
  QueueMemberRow,
  PauseReasonRow,
  DispositionRow,
  TrunkRow,
  NumberRow,
  AuditRow,
  EventRow,
  CallRow,
  CallLegRow,
  CustomerRow,
  CustomerPhoneRow,
  CustomerEmailRow,
  CustomerNoteRow,
  CustomerFieldRow,
  ...kbEntities,
  ...ticketEntities,
  ...ruleEntities,
  ...callbackEntities,
];
