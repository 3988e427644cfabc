/**
 * Workflow rules: create, read, list, update, enable/disable, delete (each recorded as rule.created |
 * rule.updated | rule.deleted through events/changes.ts#recordChange), validated on save with JSON
 * pointer paths, and the dry run (`test`): which conditions hold for a given event and which actions
 * would run with their rendered parameters, changing nothing.
 *
 * A rule's webhook signing key is sealed with crypto/secret-box.ts; it is returned once, in the answer
 * of the request that set or generated it, and never again (nor in audit rows or events).
 */
import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { SecretBox } from '../crypto/secret-box.js';
import { RuleRow } from '../db/entities/index.js';
import type { WriteContext } from '../db/writer.js';
import { Conflict, InvalidInput, NotFound, type ErrorDetail } from '../errors.js';
import { recordChange, type Actor, type Store } from '../events/changes.js';
import { getField, holds, render, typeMatches, type Condition } from './conditions.js';
import { CronError, parseCron } from './cron.js';
import type { Action, Rule, RuleInput, RulePatch, TestEvent, TestResult } from './schemas.js';

/** Which fields each action takes; `required` must be present. */
const ACTION_FIELDS: Record<Action['type'], { allowed: string[]; required: string[] }> = {
  create_ticket: { allowed: ['subject', 'description', 'priority', 'tags', 'customerId'], required: ['subject'] },
  update_ticket: { allowed: ['ticketId', 'priority', 'tags', 'status'], required: [] },
  assign_ticket: { allowed: ['ticketId', 'assignee'], required: ['assignee'] },
  add_customer_note: { allowed: ['customerId', 'text'], required: ['text'] },
  schedule_callback: { allowed: ['inMinutes', 'agent', 'note'], required: ['inMinutes'] },
  webhook: { allowed: ['url', 'attempts'], required: ['url'] },
};

const EVENT_PATTERN = /^(\*|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?)$/;

export type TriggerKind = 'event' | 'cron';

/** `cron` when the trigger has five space-separated fields, else an event type pattern. */
export function triggerKind(trigger: string): TriggerKind {
  return trigger.trim().split(/\s+/).length === 5 ? 'cron' : 'event';
}

export function validateRule(r: { trigger: string; conditions: Condition[]; actions: Action[] }): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  if (triggerKind(r.trigger) === 'cron') {
    try {
      parseCron(r.trigger);
    } catch (err) {
      if (!(err instanceof CronError)) throw err;
      problems.push({ path: '/trigger', message: err.message });
    }
  } else if (!EVENT_PATTERN.test(r.trigger)) {
    problems.push({ path: '/trigger', message: 'an event type (`call.ended`), a pattern (`ticket.*`, `*`) or a cron schedule of 5 fields' });
  }
  r.conditions.forEach((c, i) => {
    const p = `/conditions/${i}`;
    if (c.op === 'in' && !Array.isArray(c.value)) problems.push({ path: `${p}/value`, message: '`in` needs a list' });
    if ((c.op === 'gt' || c.op === 'lt') && typeof c.value !== 'number' && typeof c.value !== 'string') problems.push({ path: `${p}/value`, message: `\`${c.op}\` needs a number or a string` });
    if (['eq', 'ne', 'contains'].includes(c.op) && c.value === undefined) problems.push({ path: `${p}/value`, message: `\`${c.op}\` needs a value` });
    if (c.op === 'matches') {
      if (typeof c.value !== 'string') problems.push({ path: `${p}/value`, message: '`matches` needs a regular expression' });
      else {
        try {
          new RegExp(c.value);
        } catch (err) {
          problems.push({ path: `${p}/value`, message: `not a regular expression: ${(err as Error).message}` });
        }
      }
    }
  });
  r.actions.forEach((a, i) => {
    const p = `/actions/${i}`;
    const spec = ACTION_FIELDS[a.type];
    for (const k of Object.keys(a)) if (k !== 'type' && !spec.allowed.includes(k)) problems.push({ path: `${p}/${k}`, message: `${a.type} does not take ${k}` });
    for (const k of spec.required) if (!(k in a)) problems.push({ path: `${p}/${k}`, message: `${a.type} needs ${k}` });
    if (a.type === 'update_ticket' && a.priority === undefined && a.tags === undefined && a.status === undefined) {
      problems.push({ path: p, message: 'update_ticket needs priority, tags or status' });
    }
    if (a.type === 'webhook' && a.url !== undefined) {
      let ok: boolean;
      try {
        ok = ['http:', 'https:'].includes(new URL(a.url).protocol);
      } catch {
        ok = false;
      }
      if (!ok) problems.push({ path: `${p}/url`, message: 'an http or https URL' });
    }
  });
  return problems;
}

/** The event fields conditions and templates see, with defaults for a hand-written test event. */
export function eventView(e: TestEvent | Record<string, unknown>): Record<string, unknown> {
  return { subjectType: '', subjectId: '', agentId: null, queueId: null, callId: null, payload: {}, ...e };
}

/** An action's parameters with its templates filled from the event. */
export function renderAction(a: Action, event: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const subject = (kind: string) => (event['subjectType'] === kind ? String(event['subjectId'] ?? '') : undefined);
  for (const [k, v] of Object.entries(a)) {
    if (k === 'type') continue;
    out[k] = typeof v === 'string' && k !== 'url' ? render(v, event) : v;
  }
  if ((a.type === 'update_ticket' || a.type === 'assign_ticket') && out['ticketId'] === undefined) out['ticketId'] = subject('ticket');
  if (a.type === 'add_customer_note' && out['customerId'] === undefined) out['customerId'] = subject('customer');
  if (a.type === 'schedule_callback') Object.assign(out, callbackParty(event));
  return out;
}

/**
 * Whom a schedule_callback action calls back: a customer event's customer (the callback takes the
 * customer's first phone), or a call event's outside party: the caller, or for an outbound call the
 * dialled number (calls/records.ts payloads).
 */
function callbackParty(event: Record<string, unknown>): { customerId?: string; number?: string } {
  if (event['subjectType'] === 'customer') return { customerId: String(event['subjectId'] ?? '') };
  const p = (event['payload'] ?? {}) as Record<string, unknown>;
  const party = p['direction'] === 'outbound' ? p['to'] : p['from'];
  return String(event['type'] ?? '').startsWith('call.') && typeof party === 'string' ? { number: party } : {};
}

export function ruleDto(r: RuleRow): Rule {
  return {
    id: r.id, name: r.name, enabled: r.enabled, trigger: r.trigger, triggerKind: r.triggerKind as Rule['triggerKind'],
    conditions: r.conditions as Rule['conditions'], actions: r.actions as Action[], hasSecret: r.secretSealed !== null,
    createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString(),
  };
}

export class Rules {
  constructor(
    private readonly store: Store,
    private readonly secrets: SecretBox,
  ) {}

  async row(key: string | number, em: EntityManager = this.store.ds.manager): Promise<RuleRow> {
    const k = String(key);
    const row = /^[1-9][0-9]{0,9}$/.test(k) ? await em.findOneBy(RuleRow, { id: Number(k) }) : await em.findOneBy(RuleRow, { name: k });
    if (!row) throw new NotFound('rule', k);
    return row;
  }

  async get(key: string | number): Promise<Rule> {
    return ruleDto(await this.row(key));
  }

  async list(em: EntityManager = this.store.ds.manager): Promise<Rule[]> {
    return (await em.find(RuleRow, { order: { id: 'ASC' } })).map(ruleDto);
  }

  /** Enabled rules, for the engine. */
  async enabled(): Promise<RuleRow[]> {
    return this.store.ds.manager.find(RuleRow, { where: { enabled: true }, order: { id: 'ASC' } });
  }

  /** The plain webhook key of a rule (null when it has none). */
  secretOf(row: RuleRow): string | null {
    return row.secretSealed === null ? null : this.secrets.open(row.secretSealed);
  }

  async create(tx: WriteContext, actor: Actor, input: RuleInput): Promise<Rule> {
    const conditions = (input.conditions ?? []) as Condition[];
    const problems = validateRule({ trigger: input.trigger, conditions, actions: input.actions });
    if (problems.length) throw new InvalidInput('the rule is not valid', problems);
    if (await tx.em.findOneBy(RuleRow, { name: input.name })) throw new Conflict(`rule ${JSON.stringify(input.name)} already exists`, [{ path: '/name', message: 'taken' }]);
    const secret = input.secret ?? (input.actions.some((a) => a.type === 'webhook') ? randomBytes(24).toString('base64url') : null);
    const now = new Date();
    const row = tx.em.create(RuleRow, {
      name: input.name, enabled: input.enabled ?? true, triggerKind: triggerKind(input.trigger), trigger: input.trigger.trim(),
      conditions, actions: input.actions, secretSealed: secret === null ? null : this.secrets.seal(secret), createdAt: now, updatedAt: now,
    });
    await tx.em.save(RuleRow, row);
    const after = ruleDto(row);
    await recordChange(this.store.events, tx, actor, { type: 'rule.created', subjectType: 'rule', subjectId: String(row.id), after });
    return secret === null ? after : { ...after, secret };
  }

  async update(tx: WriteContext, actor: Actor, key: string, patch: RulePatch): Promise<Rule> {
    const row = await this.row(key, tx.em);
    const before = ruleDto(row);
    const next = {
      trigger: patch.trigger?.trim() ?? row.trigger,
      conditions: (patch.conditions ?? row.conditions) as Condition[],
      actions: (patch.actions ?? row.actions) as Action[],
    };
    const problems = validateRule(next);
    if (problems.length) throw new InvalidInput('the rule is not valid', problems);
    let secret: string | null = null;
    if (patch.secret !== undefined) secret = patch.secret;
    else if (row.secretSealed === null && next.actions.some((a) => a.type === 'webhook')) secret = randomBytes(24).toString('base64url');
    Object.assign(row, { ...next, triggerKind: triggerKind(next.trigger), updatedAt: new Date() });
    if (patch.enabled !== undefined) row.enabled = patch.enabled;
    if (secret !== null) row.secretSealed = this.secrets.seal(secret);
    await tx.em.save(RuleRow, row);
    const after = ruleDto(row);
    await recordChange(this.store.events, tx, actor, { type: 'rule.updated', subjectType: 'rule', subjectId: String(row.id), before, after });
    return secret === null ? after : { ...after, secret };
  }

  async delete(tx: WriteContext, actor: Actor, key: string): Promise<void> {
    const row = await this.row(key, tx.em);
    const before = ruleDto(row);
    await tx.em.delete(RuleRow, { id: row.id });
    await recordChange(this.store.events, tx, actor, { type: 'rule.deleted', subjectType: 'rule', subjectId: String(row.id), before });
  }

  /** Dry run: evaluate the rule against `event` and render its actions; changes nothing. */
  async test(key: string, input: TestEvent): Promise<TestResult> {
    const row = await this.row(key);
    const event = eventView(input);
    const triggerOk = row.triggerKind === 'cron' ? input.type === 'rule.scheduled' : typeMatches(row.trigger, input.type);
    const conditions = (row.conditions as Condition[]).map((c) => ({ field: c.field, op: c.op, actual: getField(event, c.field) ?? null, holds: holds(c, event) }));
    const wouldRun = triggerOk && conditions.every((c) => c.holds);
    return {
      rule: row.name, triggerMatches: triggerOk, conditions, wouldRun,
      actions: wouldRun ? (row.actions as Action[]).map((a) => ({ type: a.type, params: renderAction(a, event) })) : [],
    };
  }
}
