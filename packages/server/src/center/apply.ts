import { Ajv } from 'ajv';
import type { EntityManager } from 'typeorm';
import { beforeSkillDelete } from '../acd/catalogs.js';
import { normalizeSettings } from '../acd/queues.js';
import type { WriteContext } from '../db/writer.js';
import { InvalidInput } from '../errors.js';
import { recordChange, type Actor, type Store } from '../events/changes.js';
import { detailsFromAjv } from '../validation.js';
import { categoryPath, computePlan, loadCurrent, sortedRules, type CenterServices, type Current } from './plan.js';
import { CenterFile, type Plan, type PlannedChange } from './schema.js';

const validateFile = new Ajv({ allErrors: true, strict: false }).compile(CenterFile);

/** Check a parsed center file against the schema; errors carry paths into the file. */
export function parseCenter(input: unknown): CenterFile {
  if (!validateFile(input)) {
    const details = detailsFromAjv(validateFile.errors ?? []);
    throw new InvalidInput(`the center file is invalid: ${details.map((d) => `${d.path || '/'} ${d.message}`).join('; ')}`, details);
  }
  return input;
}

async function passwordsThatDiffer(s: CenterServices, file: CenterFile, cur: Current, em: EntityManager): Promise<Set<string>> {
  const out = new Set<string>();
  for (const a of file.agents ?? []) {
    if (a.password === undefined || !cur.agents.some((c) => c.extension === a.extension)) continue;
    if (!(await s.agents.passwordMatches(a.extension, a.password, em))) out.add(a.extension);
  }
  for (const tr of file.trunks ?? []) {
    const c = cur.trunks.find((x) => x.name === tr.name);
    if (!c) continue;
    const username = tr.inboundUsername === undefined ? c.inboundUsername : tr.inboundUsername;
    if (tr.inboundPassword !== undefined && !(username && (await s.trunks.inboundPasswordMatches(tr.name, username, tr.inboundPassword, em)))) {
      out.add(`trunk-inbound/${tr.name}`);
    }
    if (tr.password !== undefined && !(await s.trunks.outboundPasswordMatches(tr.name, tr.password, em))) out.add(`trunk-outbound/${tr.name}`);
  }
  for (const r of file.rules ?? []) {
    if (r.secret === undefined || !cur.rules.some((c) => c.name === r.name)) continue;
    if (s.rules.secretOf(await s.rules.row(r.name, em)) !== r.secret) out.add(`rule-secret/${r.name}`);
  }
  return out;
}

export async function planCenter(s: CenterServices, em: EntityManager, input: unknown, prune: boolean): Promise<Plan> {
  const file = parseCenter(input);
  const cur = await loadCurrent(s, em);
  return computePlan(file, cur, prune, await passwordsThatDiffer(s, file, cur, em));
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

async function run(s: CenterServices, tx: WriteContext, actor: Actor, file: CenterFile, c: PlannedChange): Promise<void> {
  const find = <T>(list: T[] | undefined, pred: (x: T) => boolean): T => list!.find(pred)!;
  const changed = new Set(c.fields.map((f) => f.field));
  if (c.action === 'delete') {
    const del: Record<string, () => Promise<void>> = {
      user: () => s.users.delete(tx, actor, c.key),
      skill: () => s.skills.delete(tx, actor, c.key, (row) => beforeSkillDelete(row, tx.em)),
      pause_reason: () => s.pauseReasons.delete(tx, actor, c.key),
      disposition: () => s.dispositions.delete(tx, actor, c.key),
      agent: () => s.agents.delete(tx, actor, c.key),
      queue: () => s.queues.delete(tx, actor, c.key),
      trunk: () => s.trunks.delete(tx, actor, c.key),
      number: () => s.numbers.delete(tx, actor, c.key),
      customer_field: () => s.crm.fields.delete(tx, actor, c.key),
      rule: () => s.rules.delete(tx, actor, c.key),
      kb_category: () => s.kb.categories.delete(tx, actor, c.key),
      calendar: () => s.tickets.calendars.delete(tx, actor, c.key),
      sla_policy: () => s.tickets.policies.delete(tx, actor, c.key),
      member: () => s.queues.removeMember(tx, actor, c.key.split('/')[0]!, c.key.split('/')[1]!),
    };
    return del[c.kind]!();
  }
  const create = c.action === 'create';
  switch (c.kind) {
    case 'user': {
      const u = find(file.users, (x) => x.name === c.key);
      if (create) await s.users.create(tx, actor, defined({ name: u.name, role: u.role, displayName: u.displayName }) as never);
      if (!create || u.disabled) await s.users.update(tx, actor, u.name, defined({ role: u.role, displayName: u.displayName, disabled: u.disabled }));
      return;
    }
    case 'skill': {
      const k = find(file.skills, (x) => x.name === c.key);
      await (create ? s.skills.create(tx, actor, k) : s.skills.update(tx, actor, k.name, defined({ description: k.description })));
      return;
    }
    case 'pause_reason': {
      const p = find(file.pauseReasons, (x) => x.code === c.key);
      await (create ? s.pauseReasons.create(tx, actor, p) : s.pauseReasons.update(tx, actor, p.code, defined({ label: p.label, paid: p.paid, maxMinutes: p.maxMinutes })));
      return;
    }
    case 'disposition': {
      const d = find(file.dispositions, (x) => x.code === c.key);
      await (create ? s.dispositions.create(tx, actor, d) : s.dispositions.update(tx, actor, d.code, defined({ label: d.label, requiresNote: d.requiresNote })));
      return;
    }
    case 'agent': {
      const a = find(file.agents, (x) => x.extension === c.key);
      const fields = defined({ name: a.name, user: a.user, skills: a.skills, maxChats: a.maxChats, password: changed.has('password') ? a.password : undefined });
      await (create ? s.agents.create(tx, actor, { ...fields, extension: a.extension, name: a.name }) : s.agents.update(tx, actor, a.extension, fields));
      return;
    }
    case 'queue': {
      const q = find(file.queues, (x) => x.name === c.key);
      // A file's settings are complete (omitted keys take defaults), while an API patch merges: pass them whole.
      const fields = defined({ strategy: q.strategy, settings: changed.has('settings') ? normalizeSettings(q.settings) : undefined });
      await (create ? s.queues.create(tx, actor, { ...fields, name: q.name }) : s.queues.update(tx, actor, q.name, fields));
      return;
    }
    case 'trunk': {
      const tr = find(file.trunks, (x) => x.name === c.key);
      const fields = defined({
        ...tr,
        inboundPassword: changed.has('inboundPassword') ? tr.inboundPassword : undefined,
        password: changed.has('password') ? tr.password : undefined,
      });
      const { name, ...patch } = fields;
      await (create ? s.trunks.create(tx, actor, { ...patch, name: tr.name, host: tr.host }) : s.trunks.update(tx, actor, name ?? tr.name, patch));
      return;
    }
    case 'number': {
      const n = find(file.numbers, (x) => x.number === c.key);
      await (create ? s.numbers.create(tx, actor, n) : s.numbers.update(tx, actor, n.number, defined({ description: n.description, target: n.target })));
      return;
    }
    case 'customer_field': {
      const f = find(file.customerFields, (x) => x.name === c.key);
      await (create ? s.crm.fields.create(tx, actor, f) : s.crm.fields.update(tx, actor, f.name, defined({ required: f.required, enumValues: f.enumValues, description: f.description })));
      return;
    }
    case 'calendar': {
      const k = find(file.calendars, (x) => x.name === c.key);
      await (create ? s.tickets.calendars.create(tx, actor, k) : s.tickets.calendars.update(tx, actor, k.name, defined({ timeZone: k.timeZone, hours: k.hours, holidays: k.holidays })));
      return;
    }
    case 'sla_policy': {
      const p = find(file.slaPolicies, (x) => x.name === c.key);
      const { name, ...patch } = p;
      await (create ? s.tickets.policies.create(tx, actor, p) : s.tickets.policies.update(tx, actor, name, defined(patch)));
      return;
    }
    case 'kb_category': {
      const k = find(file.kbCategories, (x) => categoryPath(x.path) === c.key);
      if (create) await s.kb.categories.create(tx, actor, c.key);
      if (changed.has('rules') && (!create || k.rules?.length)) await s.kb.categories.setRules(tx, actor, c.key, { rules: k.rules ?? [] });
      return;
    }
    case 'rule': {
      const r = find(file.rules, (x) => x.name === c.key);
      const secret = changed.has('secret') ? r.secret : undefined;
      const { name, ...rest } = r;
      await (create
        ? s.rules.create(tx, actor, defined({ ...r, secret }) as typeof r)
        : s.rules.update(tx, actor, name, defined({ enabled: rest.enabled, trigger: rest.trigger, conditions: rest.conditions, actions: rest.actions, secret })));
      return;
    }
    case 'member': {
      const [queue, agent] = c.key.split('/') as [string, string];
      const m = find(find(file.queues, (x) => x.name === queue).members, (x) => x.agent === agent);
      await s.queues.addMember(tx, actor, queue, m);
      return;
    }
  }
}

/**
 * Apply a center file atomically: plan and every change run in one serialized transaction, so the
 * file is applied whole or not at all; each change is audited and emitted like its single-object API
 * twin, plus one `center.applied` summary. A second apply of the same file plans nothing.
 */
export async function applyCenter(s: CenterServices, store: Store, actor: Actor, input: unknown, prune: boolean): Promise<Plan> {
  const file = parseCenter(input);
  return store.writer.run(async (tx) => {
    const plan = await planCenter(s, tx.em, file, prune);
    for (const c of plan.changes) await run(s, tx, actor, file, c);
    if (plan.changes.length) {
      await recordChange(store.events, tx, actor, { type: 'center.applied', subjectType: 'center', subjectId: 'center', after: plan.summary });
    }
    return plan;
  });
}

/** The server's state as a center file; applying it back changes nothing. Secrets are never exported. */
export async function exportCenter(s: CenterServices, em: EntityManager): Promise<CenterFile> {
  const cur = await loadCurrent(s, em);
  return {
    apiVersion: 'hotline/v1',
    kind: 'Center',
    users: cur.users.map((u) => ({ name: u.name, role: u.role, displayName: u.displayName, disabled: u.disabled })),
    skills: cur.skills.map((k) => ({ name: k.name, description: k.description })),
    pauseReasons: cur.pauseReasons.map((p) => ({ code: p.code, label: p.label, paid: p.paid, maxMinutes: p.maxMinutes })),
    dispositions: cur.dispositions.map((d) => ({ code: d.code, label: d.label, requiresNote: d.requiresNote })),
    agents: cur.agents.map((a) => ({ extension: a.extension, name: a.name, user: a.user, skills: a.skills, maxChats: a.maxChats })),
    queues: cur.queues.map((q) => ({
      name: q.name,
      strategy: q.strategy,
      settings: q.settings,
      members: q.members.map((m) => ({ agent: m.agent, penalty: m.penalty, level: m.level })),
    })),
    trunks: cur.trunks.map((t) => ({
      name: t.name,
      description: t.description,
      inboundCidrs: t.inboundCidrs,
      inboundUsername: t.inboundUsername,
      host: t.host,
      port: t.port,
      transport: t.transport,
      username: t.username,
      register: t.register,
      maxCalls: t.maxCalls,
      callerId: t.callerId,
      enabled: t.enabled,
    })),
    numbers: cur.numbers.map((n) => ({ number: n.number, description: n.description, target: n.target })),
    customerFields: cur.customerFields.map((f) => ({
      name: f.name, type: f.type, required: f.required, ...(f.enumValues ? { enumValues: f.enumValues } : {}), description: f.description,
    })),
    calendars: cur.calendars.map((k) => ({ name: k.name, timeZone: k.timeZone, hours: k.hours, holidays: k.holidays })),
    slaPolicies: cur.slaPolicies.map((p) => ({
      name: p.name,
      calendar: p.calendar,
      firstResponseMinutes: p.firstResponseMinutes,
      nextResponseMinutes: p.nextResponseMinutes,
      resolutionMinutes: p.resolutionMinutes,
      priorities: p.priorities,
    })),
    kbCategories: cur.kbCategories.map((k) => ({ path: k.path, rules: sortedRules(k.rules) })),
    rules: cur.rules.map((r) => ({ name: r.name, enabled: r.enabled, trigger: r.trigger, conditions: r.conditions, actions: r.actions })),
  };
}
