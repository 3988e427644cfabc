import { isDeepStrictEqual } from 'node:util';
import type { EntityManager } from 'typeorm';
import type { Agents } from '../acd/agents.js';
import type { Dispositions, PauseReasons, Skills } from '../acd/catalogs.js';
import { normalizeSettings } from '../acd/queues.js';
import type { Agent, Disposition, PauseReason, Queue, Skill } from '../acd/schemas.js';
import type { Queues } from '../acd/queues.js';
import { InvalidInput, type ErrorDetail } from '../errors.js';
import type { Crm } from '../crm/crm.js';
import type { CustomField } from '../crm/schemas.js';
import type { Kb } from '../kb/kb.js';
import type { Category } from '../kb/schemas.js';
import type { Numbers } from '../routing/numbers.js';
import type { DialNumber, Trunk } from '../routing/schemas.js';
import { normalizeCallerId, type Trunks } from '../routing/trunks.js';
import { ROLES, type User } from '../security/schemas.js';
import type { Users } from '../security/users.js';
import type { TicketDesk } from '../tickets/desk.js';
import type { Calendar, SlaPolicy } from '../tickets/schemas.js';
import { validateRule, type Rules } from '../workflow/rules.js';
import type { Condition } from '../workflow/conditions.js';
import type { Rule } from '../workflow/schemas.js';
import type { CenterFile, FieldChange, Plan, PlannedChange } from './schema.js';

export interface CenterServices {
  users: Users;
  skills: Skills;
  pauseReasons: PauseReasons;
  dispositions: Dispositions;
  agents: Agents;
  queues: Queues;
  trunks: Trunks;
  numbers: Numbers;
  /** Custom field definitions of customers (crm/fields.ts). */
  crm: Crm;
  /** Business calendars and SLA policies (tickets/calendars.ts). */
  tickets: TicketDesk;
  /** Knowledge-base categories and their rules (kb/categories.ts). */
  kb: Kb;
  /** Workflow rules (workflow/rules.ts). */
  rules: Rules;
}

export interface Current {
  users: User[];
  skills: Skill[];
  pauseReasons: PauseReason[];
  dispositions: Disposition[];
  agents: Agent[];
  queues: Queue[];
  trunks: Trunk[];
  numbers: DialNumber[];
  customerFields: CustomField[];
  calendars: Calendar[];
  slaPolicies: SlaPolicy[];
  kbCategories: Category[];
  rules: Rule[];
}

export async function loadCurrent(s: CenterServices, em: EntityManager): Promise<Current> {
  return {
    users: await s.users.list(em),
    skills: await s.skills.list(em),
    pauseReasons: await s.pauseReasons.list(em),
    dispositions: await s.dispositions.list(em),
    agents: await s.agents.list(em),
    queues: await s.queues.list(em),
    trunks: await s.trunks.list(em),
    numbers: await s.numbers.list(em),
    customerFields: await s.crm.fields.list(em),
    calendars: await s.tickets.calendars.list(em),
    slaPolicies: await s.tickets.policies.list(em),
    kbCategories: await s.kb.categories.all(em),
    rules: await s.rules.list(em),
  };
}

/** A category path as stored: names trimmed, empty names dropped. */
export function categoryPath(path: string): string {
  return path.split('/').map((p) => p.trim()).filter((p) => p !== '').join('/');
}

/** Category rules in a stable order (by role), to compare and export. */
export function sortedRules<R extends { role: string }>(rules: R[]): R[] {
  return [...rules].sort((a, b) => (a.role < b.role ? -1 : a.role > b.role ? 1 : 0));
}

/** Field changes for the fields the file manages (`to !== undefined`). */
function fieldsOf(pairs: Array<[string, unknown, unknown]>): FieldChange[] {
  return pairs.filter(([, from, to]) => to !== undefined && !isDeepStrictEqual(from, to)).map(([field, from, to]) => ({ field, from: from ?? null, to }));
}

interface Section<D, C> {
  kind: string;
  /** Section name in the file, for error paths. */
  path: string;
  desired: D[] | undefined;
  current: C[];
  keyD(d: D): string;
  keyC(c: C): string;
  /** Managed field pairs [field, current value (undefined on create), desired value]. */
  pairs(d: D, c: C | undefined): Array<[string, unknown, unknown]>;
}

interface Builder {
  changes: PlannedChange[];
  deletes: PlannedChange[];
  unmanaged: Array<{ kind: string; key: string }>;
  problems: ErrorDetail[];
}

function diffSection<D, C>(b: Builder, s: Section<D, C>, prune: boolean): void {
  if (!s.desired) return;
  const current = new Map(s.current.map((c) => [s.keyC(c), c]));
  const seen = new Map<string, number>();
  s.desired.forEach((d, i) => {
    const key = s.keyD(d);
    const first = seen.get(key);
    if (first !== undefined) {
      b.problems.push({ path: `/${s.path}/${i}`, message: `duplicate ${s.kind} ${JSON.stringify(key)} (also at /${s.path}/${first})` });
      return;
    }
    seen.set(key, i);
    const c = current.get(key);
    const fields = fieldsOf(s.pairs(d, c));
    if (!c) b.changes.push({ action: 'create', kind: s.kind, key, fields });
    else if (fields.length) b.changes.push({ action: 'update', kind: s.kind, key, fields });
  });
  for (const key of current.keys()) {
    if (seen.has(key)) continue;
    if (prune) b.deletes.unshift({ action: 'delete', kind: s.kind, key, fields: [] });
    else b.unmanaged.push({ kind: s.kind, key });
  }
}

/**
 * What exists after the apply: the file's objects, plus the server's unless prune deletes them (with
 * prune, a section present in the file is the whole set).
 */
function existing<T>(desired: T[] | undefined, current: T[], prune: boolean, key: (x: T) => string): Set<string> {
  return new Set([...(prune && desired ? [] : current), ...(desired ?? [])].map(key));
}

function checkRefs(file: CenterFile, cur: Current, prune: boolean, problems: ErrorDetail[]): void {
  const skills = existing<{ name: string }>(file.skills, cur.skills, prune, (x) => x.name);
  const users = existing<{ name: string }>(file.users, cur.users, prune, (x) => x.name);
  const agents = existing<{ extension: string }>(file.agents, cur.agents, prune, (x) => x.extension);
  const queues = existing<{ name: string }>(file.queues, cur.queues, prune, (x) => x.name);
  file.customerFields?.forEach((f, i) => {
    const c = cur.customerFields.find((x) => x.name === f.name);
    const type = c?.type ?? f.type;
    if (c && c.type !== f.type) problems.push({ path: `/customerFields/${i}/type`, message: `cannot change from ${c.type} (delete the field and create it again)` });
    else if (type === 'enum' && !c && !f.enumValues) problems.push({ path: `/customerFields/${i}/enumValues`, message: 'required for type enum' });
    else if (type !== 'enum' && f.enumValues) problems.push({ path: `/customerFields/${i}/enumValues`, message: `not allowed for type ${type}` });
  });
  file.rules?.forEach((r, i) => {
    for (const p of validateRule({ trigger: r.trigger, conditions: (r.conditions ?? []) as Condition[], actions: r.actions })) {
      problems.push({ path: `/rules/${i}${p.path}`, message: p.message });
    }
  });
  const categories = existing<{ path: string }>(file.kbCategories?.map((c) => ({ path: categoryPath(c.path) })), cur.kbCategories, prune, (x) => x.path);
  const earlier = new Set<string>();
  file.kbCategories?.forEach((c, i) => {
    const path = categoryPath(c.path);
    const parent = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : null;
    if (parent !== null && !earlier.has(parent) && !(categories.has(parent) && cur.kbCategories.some((x) => x.path === parent))) {
      problems.push({ path: `/kbCategories/${i}/path`, message: `parent ${JSON.stringify(parent)} must exist or come earlier in the file` });
    }
    earlier.add(path);
    const roles = new Set<string>();
    c.rules?.forEach((r, j) => {
      if (!(ROLES as readonly string[]).includes(r.role)) problems.push({ path: `/kbCategories/${i}/rules/${j}/role`, message: `must be one of ${ROLES.join(', ')}` });
      else if (roles.has(r.role)) problems.push({ path: `/kbCategories/${i}/rules/${j}/role`, message: 'listed twice' });
      roles.add(r.role);
    });
  });
  const calendars = existing<{ name: string }>(file.calendars, cur.calendars, prune, (x) => x.name);
  file.slaPolicies?.forEach((p, i) => {
    if (!calendars.has(p.calendar)) problems.push({ path: `/slaPolicies/${i}/calendar`, message: `unknown calendar ${JSON.stringify(p.calendar)}` });
  });
  // A pruned calendar must not be left in use by a policy the file keeps without listing it.
  const policies = existing<{ name: string }>(file.slaPolicies, cur.slaPolicies, prune, (x) => x.name);
  for (const p of cur.slaPolicies) {
    if (policies.has(p.name) && !file.slaPolicies?.some((x) => x.name === p.name) && !calendars.has(p.calendar)) {
      problems.push({ path: '/calendars', message: `calendar ${JSON.stringify(p.calendar)} is used by SLA policy ${JSON.stringify(p.name)}` });
    }
  }
  file.numbers?.forEach((n, i) => {
    const [type, key] = [n.target.slice(0, n.target.indexOf(':')), n.target.slice(n.target.indexOf(':') + 1)];
    const known = type === 'agent' ? agents.has(key) : type === 'queue' ? queues.has(key) : true;
    if (!known) problems.push({ path: `/numbers/${i}/target`, message: `unknown ${type} ${key}` });
  });
  file.agents?.forEach((a, i) => {
    for (const s of Object.keys(a.skills ?? {})) if (!skills.has(s)) problems.push({ path: `/agents/${i}/skills/${s}`, message: 'unknown skill' });
    if (a.user && !users.has(a.user)) problems.push({ path: `/agents/${i}/user`, message: `unknown user ${JSON.stringify(a.user)}` });
  });
  file.queues?.forEach((q, i) => {
    for (const s of Object.keys(q.settings?.requiredSkills ?? {})) {
      if (!skills.has(s)) problems.push({ path: `/queues/${i}/settings/requiredSkills/${s}`, message: 'unknown skill' });
    }
    // (Members listed twice are reported by diffSection.)
    q.members?.forEach((m, j) => {
      if (!agents.has(m.agent)) problems.push({ path: `/queues/${i}/members/${j}/agent`, message: `unknown agent ${m.agent}` });
    });
  });
}

/** Trunks come right after users; passwords are never shown, only that they will be set. */
function diffTrunks(b: Builder, file: CenterFile, cur: Current, prune: boolean, passwordDiffers: Set<string>): void {
  const secret = (c: Trunk | undefined, given: string | undefined, key: string) =>
    [c ? '(unchanged)' : undefined, given !== undefined && (!c || passwordDiffers.has(key)) ? '(set)' : undefined] as const;
  diffSection(b, {
    kind: 'trunk', path: 'trunks', desired: file.trunks, current: cur.trunks, keyD: (d) => d.name, keyC: (c) => c.name,
    pairs: (d, c) => [
      ['description', c?.description, d.description],
      ['inboundCidrs', c?.inboundCidrs, d.inboundCidrs && [...new Set(d.inboundCidrs)]],
      ['inboundUsername', c?.inboundUsername, d.inboundUsername],
      ['inboundPassword', ...secret(c, d.inboundPassword, `trunk-inbound/${d.name}`)],
      ['host', c?.host, d.host],
      ['port', c?.port, d.port ?? (c ? undefined : 5060)],
      ['transport', c?.transport, d.transport ?? (c ? undefined : 'udp')],
      ['username', c?.username, d.username],
      ['password', ...secret(c, d.password, `trunk-outbound/${d.name}`)],
      ['register', c?.register, d.register],
      ['maxCalls', c?.maxCalls, d.maxCalls],
      ['callerId', c?.callerId, d.callerId === undefined ? undefined : normalizeCallerId(d.callerId)],
      ['enabled', c?.enabled, d.enabled],
    ],
  }, prune);
}

/**
 * The changes that would make the server match the file, in the order apply runs them: creates and
 * updates from the bottom of the dependency order up (users, skills, ..., queues, members, numbers,
 * customer fields, calendars, SLA policies, KB categories, rules), then
 * deletes top down. `passwordDiffers` holds the agents (extension) and trunks (`trunk-inbound/<name>`,
 * `trunk-outbound/<name>`) and rules (`rule-secret/<name>`) whose listed password or webhook key is not
 * the current one.
 */
export function computePlan(file: CenterFile, cur: Current, prune: boolean, passwordDiffers: Set<string>): Plan {
  const b: Builder = { changes: [], deletes: [], unmanaged: [], problems: [] };
  checkRefs(file, cur, prune, b.problems);
  diffSection(b, {
    kind: 'user', path: 'users', desired: file.users, current: cur.users, keyD: (d) => d.name, keyC: (c) => c.name,
    pairs: (d, c) => [['role', c?.role, d.role], ['displayName', c?.displayName, d.displayName], ['disabled', c?.disabled, d.disabled]],
  }, prune);
  diffTrunks(b, file, cur, prune, passwordDiffers);
  diffSection(b, {
    kind: 'skill', path: 'skills', desired: file.skills, current: cur.skills, keyD: (d) => d.name, keyC: (c) => c.name,
    pairs: (d, c) => [['description', c?.description, d.description]],
  }, prune);
  diffSection(b, {
    kind: 'pause_reason', path: 'pauseReasons', desired: file.pauseReasons, current: cur.pauseReasons, keyD: (d) => d.code, keyC: (c) => c.code,
    pairs: (d, c) => [['label', c?.label, d.label], ['paid', c?.paid, d.paid], ['maxMinutes', c?.maxMinutes, d.maxMinutes]],
  }, prune);
  diffSection(b, {
    kind: 'disposition', path: 'dispositions', desired: file.dispositions, current: cur.dispositions, keyD: (d) => d.code, keyC: (c) => c.code,
    pairs: (d, c) => [['label', c?.label, d.label], ['requiresNote', c?.requiresNote, d.requiresNote]],
  }, prune);
  diffSection(b, {
    kind: 'agent', path: 'agents', desired: file.agents, current: cur.agents, keyD: (d) => d.extension, keyC: (c) => c.extension,
    pairs: (d, c) => [
      ['name', c?.name, d.name],
      ['user', c?.user, d.user],
      ['skills', c?.skills, d.skills],
      ['maxChats', c?.maxChats, d.maxChats],
      // Never the password itself: only that it will be set.
      ['password', c ? '(unchanged)' : undefined, d.password !== undefined && (!c || passwordDiffers.has(d.extension)) ? '(set)' : undefined],
    ],
  }, prune);
  diffSection(b, {
    kind: 'queue', path: 'queues', desired: file.queues, current: cur.queues, keyD: (d) => d.name, keyC: (c) => c.name,
    pairs: (d, c) => [['strategy', c?.strategy, d.strategy ?? (c ? undefined : 'longest-idle')], ['settings', c?.settings, d.settings && normalizeSettings(d.settings)]],
  }, prune);
  // A queue's `members`, when present, is its whole member list: absent members are removed.
  for (const [i, q] of (file.queues ?? []).entries()) {
    if (!q.members) continue;
    const c = cur.queues.find((x) => x.name === q.name);
    diffSection(b, {
      kind: 'member', path: `queues/${i}/members`, desired: q.members, current: c?.members ?? [],
      keyD: (d) => `${q.name}/${d.agent}`, keyC: (m) => `${q.name}/${m.agent}`,
      pairs: (d, m) => [['penalty', m?.penalty, d.penalty ?? (m ? undefined : 0)], ['level', m?.level, d.level ?? (m ? undefined : 1)]],
    }, true);
  }
  diffSection(b, {
    kind: 'number', path: 'numbers', desired: file.numbers, current: cur.numbers, keyD: (d) => d.number, keyC: (c) => c.number,
    pairs: (d, c) => [['description', c?.description, d.description], ['target', c?.target, d.target]],
  }, prune);
  diffSection(b, {
    kind: 'customer_field', path: 'customerFields', desired: file.customerFields, current: cur.customerFields, keyD: (d) => d.name, keyC: (c) => c.name,
    pairs: (d, c) => [
      ['type', c?.type, d.type],
      ['required', c?.required, d.required ?? (c ? undefined : false)],
      ['enumValues', c?.enumValues, d.enumValues && [...new Set(d.enumValues)]],
      ['description', c?.description, d.description],
    ],
  }, prune);
  // Calendars before the SLA policies counting on them (deletes run the other way round).
  diffSection(b, {
    kind: 'calendar', path: 'calendars', desired: file.calendars, current: cur.calendars, keyD: (d) => d.name, keyC: (c) => c.name,
    pairs: (d, c) => [
      ['timeZone', c?.timeZone, d.timeZone],
      ['hours', c?.hours, d.hours],
      ['holidays', c?.holidays, d.holidays ? [...new Set(d.holidays)].sort() : c ? undefined : []],
    ],
  }, prune);
  diffSection(b, {
    kind: 'sla_policy', path: 'slaPolicies', desired: file.slaPolicies, current: cur.slaPolicies, keyD: (d) => d.name, keyC: (c) => c.name,
    pairs: (d, c) => [
      ['calendar', c?.calendar, d.calendar],
      ['firstResponseMinutes', c?.firstResponseMinutes, d.firstResponseMinutes],
      ['nextResponseMinutes', c?.nextResponseMinutes, d.nextResponseMinutes === undefined && !c ? null : d.nextResponseMinutes],
      ['resolutionMinutes', c?.resolutionMinutes, d.resolutionMinutes],
      ['priorities', c?.priorities, [...new Set(d.priorities)]],
    ],
  }, prune);
  diffSection(b, {
    kind: 'kb_category', path: 'kbCategories', desired: file.kbCategories, current: cur.kbCategories, keyD: (d) => categoryPath(d.path), keyC: (c) => c.path,
    pairs: (d, c) => [['rules', c && sortedRules(c.rules), d.rules ? sortedRules(d.rules) : c ? undefined : []]],
  }, prune);
  diffSection(b, {
    kind: 'rule', path: 'rules', desired: file.rules, current: cur.rules, keyD: (d) => d.name, keyC: (c) => c.name,
    pairs: (d, c) => [
      ['enabled', c?.enabled, d.enabled ?? (c ? undefined : true)],
      ['trigger', c?.trigger, d.trigger.trim()],
      ['conditions', c?.conditions, d.conditions ?? (c ? undefined : [])],
      ['actions', c?.actions, d.actions],
      // Never the key itself: only that it will be set.
      ['secret', c ? '(unchanged)' : undefined, d.secret !== undefined && (!c || passwordDiffers.has(`rule-secret/${d.name}`)) ? '(set)' : undefined],
    ],
  }, prune);
  if (b.problems.length) {
    throw new InvalidInput(`the center file has ${b.problems.length} problem${b.problems.length > 1 ? 's' : ''}`, b.problems);
  }
  const changes = [...b.changes, ...b.deletes];
  const count = (a: string) => changes.filter((c) => c.action === a).length;
  return { changes, summary: { create: count('create'), update: count('update'), delete: count('delete') }, unmanaged: b.unmanaged };
}
