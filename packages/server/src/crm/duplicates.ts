/**
 * Duplicate detection and merge.
 *
 * Another customer is a possible duplicate when it has the same normalized phone number (E.164,
 * extension ignored), the same email address (case-insensitive), or a very similar name at the same
 * company: names folded (case, accents, punctuation, word order ignored) and equal or within an edit
 * distance of 1 per 6 characters (at most 2), with folded companies equal (both empty counts as the
 * same company only when the folded names are equal).
 *
 * Merge (`target <- source`) moves everything onto the target and deletes the source, in one
 * transaction, audited as one `customer.merged` (before: both customers, after: the target). Target
 * wins on conflict: name, company, language and preferred agent keep the target's value unless it is
 * empty; custom fields keep the target's value for a name both have. Phones, emails and tags are the
 * union (target's first); notes move; the VIP level is the higher of the two.
 */
import { In, Not } from 'typeorm';
import { CustomerEmailRow, CustomerNoteRow, CustomerPhoneRow, CustomerRow } from '../db/entities/index.js';
import type { WriteContext } from '../db/writer.js';
import { InvalidInput } from '../errors.js';
import { recordChange, type Actor, type Store } from '../events/changes.js';
import type { Customers } from './customers.js';
import type { Duplicate, Customer } from './schemas.js';

/** Levenshtein distance, stopping early above `max`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      best = Math.min(best, cur[j]!);
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

export function similarNames(a: string, b: string): boolean {
  if (a === b) return a !== '';
  const max = Math.min(2, Math.floor(Math.min(a.length, b.length) / 6));
  return max > 0 && editDistance(a, b, max) <= max;
}

const CANDIDATES = 1000;

export class Duplicates {
  constructor(
    private readonly store: Store,
    private readonly customers: Customers,
  ) {}

  async find(id: string): Promise<Duplicate[]> {
    const em = this.store.ds.manager;
    const me = await this.customers.row(id);
    const reasons = new Map<number, string[]>();
    const add = (cid: number, why: string) => reasons.set(cid, [...(reasons.get(cid) ?? []), why]);
    const phones = await em.find(CustomerPhoneRow, { where: { customerId: me.id } });
    const numbers = [...new Set(phones.map((p) => p.number))];
    if (numbers.length) {
      for (const p of await em.find(CustomerPhoneRow, { where: { number: In(numbers), customerId: Not(me.id) }, take: CANDIDATES })) {
        if (!reasons.get(p.customerId)?.includes(`phone ${p.number}`)) add(p.customerId, `phone ${p.number}`);
      }
    }
    const emails = [...new Set((await em.find(CustomerEmailRow, { where: { customerId: me.id } })).map((e) => e.emailLower))];
    if (emails.length) {
      for (const e of await em.find(CustomerEmailRow, { where: { emailLower: In(emails), customerId: Not(me.id) }, take: CANDIDATES })) {
        if (!reasons.get(e.customerId)?.includes(`email ${e.emailLower}`)) add(e.customerId, `email ${e.emailLower}`);
      }
    }
    const sameCompany = me.companyKey
      ? await em.find(CustomerRow, { where: { companyKey: me.companyKey, id: Not(me.id) }, select: { id: true, nameKey: true }, take: CANDIDATES })
      : await em.find(CustomerRow, { where: { nameKey: me.nameKey, companyKey: '', id: Not(me.id) }, select: { id: true, nameKey: true }, take: CANDIDATES });
    for (const c of sameCompany) if (similarNames(me.nameKey, c.nameKey)) add(c.id, 'name and company');
    if (reasons.size === 0) return [];
    const rows = await em.find(CustomerRow, { where: { id: In([...reasons.keys()]) }, order: { id: 'ASC' } });
    return (await this.customers.dtos(rows, em)).map((customer) => ({ customer, reasons: reasons.get(customer.id)! }));
  }

  /** Merge `fromId` into `targetId` (rules in the file comment); returns the merged target. */
  async merge(tx: WriteContext, actor: Actor, targetId: string, fromId: number): Promise<Customer> {
    const target = await this.customers.row(targetId, tx.em);
    if (target.id === fromId) throw new InvalidInput('a customer cannot be merged into itself', [{ path: '/from', message: 'must differ from the target' }]);
    const source = await this.customers.row(fromId, tx.em);
    const [before, from] = await this.customers.dtos([target, source], tx.em);
    target.company ||= source.company;
    target.language ??= source.language;
    target.preferredAgent ??= source.preferredAgent;
    target.vipLevel = Math.max(target.vipLevel, source.vipLevel);
    target.tags = [...new Set([...target.tags, ...source.tags])];
    target.custom = { ...source.custom, ...target.custom };
    const phones = [...before!.phones];
    for (const p of from!.phones) if (!phones.some((x) => x.number === p.number && x.ext === p.ext)) phones.push(p);
    const emails = [...before!.emails];
    for (const e of from!.emails) if (!emails.some((x) => x.toLowerCase() === e.toLowerCase())) emails.push(e);
    await tx.em.update(CustomerNoteRow, { customerId: source.id }, { customerId: target.id });
    await this.customers.remove(tx.em, source.id);
    await this.customers.write(tx.em, { phones, emails }, target);
    const after = await this.customers.get(target.id, tx.em);
    await recordChange(this.store.events, tx, actor, {
      type: 'customer.merged', subjectType: 'customer', subjectId: String(target.id), before: { target: before, source: from }, after,
    });
    return after;
  }
}
