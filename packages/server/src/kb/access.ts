/**
 * Who may read and edit what in the knowledge base.
 *
 * - Route level (security/roles.ts): `kb:read` (every role), `kb:edit` (roles that can be made KB
 *   editors: admin, supervisor, agent; never auditors), `kb:admin` (editors and category rules: admins).
 * - The KB editor capability is per user (table kb_editors, `hotline kb editors add <user>`); admins
 *   always hold it. Chosen over a fifth role so a user keeps their role (an agent who writes phrases
 *   still takes calls) and nothing else in the role table changes.
 * - Statuses: editors, admins and auditors see every status; other readers only `published`.
 *   Visibility: staff (every role) read internal and public articles; `public` marks what may be shown
 *   to customers (self-service channels).
 * - Category rules (kb_category_rules): the nearest category (self or ancestor) that has rules decides
 *   for its subtree: roles listed may read it, roles listed with `edit` may also edit it (if they are
 *   editors); roles not listed may not see it at all. Without rules anywhere up the tree: defaults above.
 *   Admins are never restricted, and auditors read every category (they audit; they edit nothing).
 */
import type { EntityManager } from 'typeorm';
import { KbCategoryRow, KbCategoryRuleRow, KbEditorRow } from '../db/entities/index.js';
import { Forbidden } from '../errors.js';
import type { Actor } from '../events/changes.js';
import type { KbStatus } from './schemas.js';

export interface Reader {
  userId: number | null;
  name: string;
  role: string;
  /** Holds the KB editor capability (admins always). */
  editor: boolean;
}

export interface CategoryNode {
  id: number;
  parentId: number | null;
  name: string;
  path: string;
  rules: Array<{ role: string; access: 'read' | 'edit' }>;
}

/** The category tree with its rules, loaded once per request (categories are few). */
export class Tree {
  readonly byId = new Map<number, CategoryNode>();
  readonly byPath = new Map<string, CategoryNode>();

  constructor(nodes: CategoryNode[]) {
    for (const n of nodes) {
      this.byId.set(n.id, n);
      this.byPath.set(n.path, n);
    }
  }

  static async load(em: EntityManager): Promise<Tree> {
    const rows = await em.find(KbCategoryRow, { order: { path: 'ASC' } });
    const rules = await em.find(KbCategoryRuleRow);
    return new Tree(rows.map((r) => ({
      id: r.id, parentId: r.parentId, name: r.name, path: r.path,
      rules: rules.filter((x) => x.categoryId === r.id).map((x) => ({ role: x.role, access: x.access as 'read' | 'edit' })),
    })));
  }

  /** Ids of the category and every category below it. */
  subtree(id: number): number[] {
    const root = this.byId.get(id);
    if (!root) return [];
    return [...this.byId.values()].filter((n) => n.id === id || n.path.startsWith(`${root.path}/`)).map((n) => n.id);
  }

  /** The rules that decide for this category: its own, or the nearest ancestor's; null when none. */
  rulesFor(id: number | null): CategoryNode['rules'] | null {
    for (let n = id === null ? undefined : this.byId.get(id); n; n = n.parentId === null ? undefined : this.byId.get(n.parentId)) {
      if (n.rules.length) return n.rules;
    }
    return null;
  }

  mayRead(r: Reader, categoryId: number | null): boolean {
    if (r.role === 'admin' || r.role === 'auditor') return true;
    const rules = this.rulesFor(categoryId);
    return rules === null || rules.some((x) => x.role === r.role);
  }

  mayEdit(r: Reader, categoryId: number | null): boolean {
    if (r.role === 'admin') return true;
    if (!r.editor) return false;
    const rules = this.rulesFor(categoryId);
    return rules === null || rules.some((x) => x.role === r.role && x.access === 'edit');
  }

  /** Categories this reader may not see (for SQL filters). */
  hidden(r: Reader): number[] {
    return [...this.byId.keys()].filter((id) => !this.mayRead(r, id));
  }
}

export async function readerOf(em: EntityManager, actor: Actor): Promise<Reader> {
  const editor = actor.role === 'admin' || (actor.userId !== null && (await em.count(KbEditorRow, { where: { userId: actor.userId } })) > 0);
  return { userId: actor.userId, name: actor.name, role: actor.role, editor };
}

/** Statuses this reader may see. */
export function visibleStatuses(r: Reader): KbStatus[] {
  return r.editor || r.role === 'admin' || r.role === 'auditor' ? ['draft', 'review', 'published', 'archived'] : ['published'];
}

export function requireEditor(r: Reader): void {
  if (!r.editor) throw new Forbidden(`${r.name} is not a KB editor (an admin grants it: hotline kb editors add ${r.name})`);
}

export function requireEditIn(tree: Tree, r: Reader, categoryId: number | null): void {
  requireEditor(r);
  if (!tree.mayEdit(r, categoryId)) {
    const path = categoryId === null ? '(no category)' : tree.byId.get(categoryId)?.path ?? String(categoryId);
    throw new Forbidden(`role ${r.role} may not edit articles in category ${path} (category rules)`);
  }
}
