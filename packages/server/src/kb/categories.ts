/**
 * The category tree: create (parents created as needed), move (no cycles: a category never moves into
 * its own subtree), delete (only when empty), per-category read/edit rules (access.ts), and the KB
 * editor capability per user. Audited as kb.category.created|moved|deleted|rules_changed and
 * kb.editor.added|removed.
 */
import type { EntityManager } from 'typeorm';
import { KbArticleRow, KbCategoryRow, KbCategoryRuleRow, KbEditorRow, UserRow } from '../db/entities/index.js';
import type { WriteContext } from '../db/writer.js';
import { Conflict, InvalidInput, NotFound } from '../errors.js';
import { recordChange, type Actor, type Store } from '../events/changes.js';
import { ROLES } from '../security/schemas.js';
import { readerOf, requireEditor, Tree, type CategoryNode } from './access.js';
import type { Category, CategoryRules, Editor } from './schemas.js';

function dto(n: CategoryNode, tree: Tree): Category {
  return { id: n.id, path: n.path, name: n.name, parent: n.parentId === null ? null : tree.byId.get(n.parentId)?.path ?? null, rules: n.rules };
}

export function cleanPath(path: string): string {
  const parts = path.split('/').map((p) => p.trim()).filter((p) => p !== '');
  if (!parts.length) throw new InvalidInput('a category path needs at least one name', [{ path: '/path', message: 'is empty' }]);
  for (const p of parts) if (p.length > 64) throw new InvalidInput(`category name ${JSON.stringify(p)} is longer than 64 characters`, [{ path: '/path', message: 'name too long' }]);
  return parts.join('/');
}

export class Categories {
  constructor(private readonly store: Store) {}

  async list(actor: Actor): Promise<Category[]> {
    const em = this.store.ds.manager;
    const reader = await readerOf(em, actor);
    const tree = await Tree.load(em);
    return [...tree.byId.values()].filter((n) => tree.mayRead(reader, n.id)).sort((a, b) => (a.path < b.path ? -1 : 1)).map((n) => dto(n, tree));
  }

  /** Every category with its rules, by path, whoever may read it (center files). */
  async all(em: EntityManager = this.store.ds.manager): Promise<Category[]> {
    const tree = await Tree.load(em);
    return [...tree.byId.values()].sort((a, b) => (a.path < b.path ? -1 : 1)).map((n) => dto(n, tree));
  }

  async create(tx: WriteContext, actor: Actor, path: string): Promise<Category> {
    requireEditor(await readerOf(tx.em, actor));
    const clean = cleanPath(path);
    let tree = await Tree.load(tx.em);
    if (tree.byPath.has(clean)) throw new Conflict(`category ${clean} already exists`);
    const parts = clean.split('/');
    let parentId: number | null = null;
    for (let i = 0; i < parts.length; i++) {
      const p = parts.slice(0, i + 1).join('/');
      const existing = tree.byPath.get(p);
      if (existing) {
        parentId = existing.id;
        continue;
      }
      const row: KbCategoryRow = await tx.em.save(KbCategoryRow, tx.em.create(KbCategoryRow, { parentId, name: parts[i]!, path: p, createdAt: new Date() }));
      parentId = row.id;
      await recordChange(this.store.events, tx, actor, { type: 'kb.category.created', subjectType: 'kb_category', subjectId: String(row.id), after: { path: p } });
    }
    tree = await Tree.load(tx.em);
    return dto(tree.byPath.get(clean)!, tree);
  }

  private async node(tx: WriteContext, path: string): Promise<{ tree: Tree; node: CategoryNode }> {
    const tree = await Tree.load(tx.em);
    const node = tree.byPath.get(cleanPath(path));
    if (!node) throw new NotFound('category', path);
    return { tree, node };
  }

  /** Move under another parent (null: the root). Paths of the whole subtree follow. */
  async move(tx: WriteContext, actor: Actor, path: string, parent: string | null): Promise<Category> {
    requireEditor(await readerOf(tx.em, actor));
    const { tree, node } = await this.node(tx, path);
    const target = parent === null ? null : tree.byPath.get(cleanPath(parent));
    if (parent !== null && !target) throw new NotFound('category', parent);
    if (target && tree.subtree(node.id).includes(target.id)) throw new Conflict(`cannot move ${node.path} into ${target.path}: that is inside it (a cycle)`);
    const newPath = target ? `${target.path}/${node.name}` : node.name;
    if (newPath.length > 255) throw new InvalidInput('the new path would be longer than 255 characters');
    if (tree.byPath.has(newPath)) throw new Conflict(`category ${newPath} already exists`);
    for (const id of tree.subtree(node.id)) {
      const n = tree.byId.get(id)!;
      await tx.em.update(KbCategoryRow, { id }, { path: newPath + n.path.slice(node.path.length), ...(id === node.id ? { parentId: target?.id ?? null } : {}) });
    }
    await recordChange(this.store.events, tx, actor, { type: 'kb.category.moved', subjectType: 'kb_category', subjectId: String(node.id), before: { path: node.path }, after: { path: newPath } });
    const after = await Tree.load(tx.em);
    return dto(after.byId.get(node.id)!, after);
  }

  async delete(tx: WriteContext, actor: Actor, path: string): Promise<void> {
    requireEditor(await readerOf(tx.em, actor));
    const { tree, node } = await this.node(tx, path);
    if (tree.subtree(node.id).length > 1) throw new Conflict(`category ${node.path} has subcategories; delete or move them first`);
    const articles = await tx.em.count(KbArticleRow, { where: { categoryId: node.id } });
    if (articles) throw new Conflict(`category ${node.path} holds ${articles} article(s); move or delete them first`);
    await tx.em.delete(KbCategoryRuleRow, { categoryId: node.id });
    await tx.em.delete(KbCategoryRow, { id: node.id });
    await recordChange(this.store.events, tx, actor, { type: 'kb.category.deleted', subjectType: 'kb_category', subjectId: String(node.id), before: dto(node, tree) });
  }

  async setRules(tx: WriteContext, actor: Actor, path: string, input: CategoryRules): Promise<Category> {
    const { node } = await this.node(tx, path);
    const roles = new Set<string>();
    input.rules.forEach((r, i) => {
      if (!(ROLES as readonly string[]).includes(r.role)) throw new InvalidInput(`unknown role ${r.role}`, [{ path: `/rules/${i}/role`, message: `must be one of ${ROLES.join(', ')}` }]);
      if (roles.has(r.role)) throw new InvalidInput(`role ${r.role} is listed twice`, [{ path: `/rules/${i}/role`, message: 'listed twice' }]);
      roles.add(r.role);
    });
    await tx.em.delete(KbCategoryRuleRow, { categoryId: node.id });
    if (input.rules.length) await tx.em.insert(KbCategoryRuleRow, input.rules.map((r) => ({ categoryId: node.id, role: r.role, access: r.access })));
    await recordChange(this.store.events, tx, actor, {
      type: 'kb.category.rules_changed', subjectType: 'kb_category', subjectId: String(node.id), before: { rules: node.rules }, after: { rules: input.rules },
    });
    const after = await Tree.load(tx.em);
    return dto(after.byId.get(node.id)!, after);
  }

  async editors(): Promise<Editor[]> {
    const em = this.store.ds.manager;
    const rows = await em.find(KbEditorRow, { order: { userId: 'ASC' } });
    const users = new Map((await em.find(UserRow)).map((u) => [u.id, u]));
    return rows.filter((r) => users.has(r.userId)).map((r) => ({ user: users.get(r.userId)!.name, role: users.get(r.userId)!.role, grantedBy: r.grantedBy, createdAt: r.createdAt.toISOString() }));
  }

  async addEditor(tx: WriteContext, actor: Actor, name: string): Promise<Editor> {
    const user = await tx.em.findOne(UserRow, { where: { name } });
    if (!user) throw new NotFound('user', name);
    if (user.role === 'auditor') throw new Conflict('auditors read only; they cannot be KB editors');
    let row = await tx.em.findOne(KbEditorRow, { where: { userId: user.id } });
    if (!row) {
      row = await tx.em.save(KbEditorRow, tx.em.create(KbEditorRow, { userId: user.id, grantedBy: actor.name, createdAt: new Date() }));
      await recordChange(this.store.events, tx, actor, { type: 'kb.editor.added', subjectType: 'user', subjectId: String(user.id), after: { user: name } });
    }
    return { user: name, role: user.role, grantedBy: row.grantedBy, createdAt: row.createdAt.toISOString() };
  }

  async removeEditor(tx: WriteContext, actor: Actor, name: string): Promise<void> {
    const user = await tx.em.findOne(UserRow, { where: { name } });
    if (!user || !(await tx.em.count(KbEditorRow, { where: { userId: user.id } }))) throw new NotFound('KB editor', name);
    await tx.em.delete(KbEditorRow, { userId: user.id });
    await recordChange(this.store.events, tx, actor, { type: 'kb.editor.removed', subjectType: 'user', subjectId: String(user.id), before: { user: name } });
  }
}
