import type { GoessnerObject, ServiceHandlers } from 'sif3-direct';
import type { SisDatabase } from '../sis/database';
import { applyPartial, chooseRefId, withRefId } from './common';

/** A SIS table that keeps each object as Goessner JSON in `doc`, keyed by `ref_id`, beside searchable columns. */
export interface DocumentTable {
  /** The table name (trusted: it comes from this code, never from a request). */
  table: string;
  /** INSERT and UPDATE statements with named parameters, filled from `columns`. */
  insert: string;
  update: string;
  /** The named parameters for an object (refId, doc and the searchable columns); throws a SifError when the object is not acceptable. */
  columns(doc: GoessnerObject): Record<string, string | null>;
  /** Runs before a delete of an existing object, e.g. to refuse it with a 409. */
  beforeDelete?(refId: string): void;
  /** Completes a new object before it is stored, e.g. by assigning a local id. */
  complete?(doc: GoessnerObject): void;
}

/**
 * Query, read, create, update and delete handlers for a document table: paging and counts in SQL,
 * statements prepared once, partial updates applied to the stored document.
 */
export function documentTableHandlers(db: SisDatabase, spec: DocumentTable): ServiceHandlers {
  const { table } = spec;
  const sql = {
    page: db.prepare(`SELECT doc FROM ${table} ORDER BY rowid LIMIT ? OFFSET ?`).pluck(),
    count: db.prepare(`SELECT count(*) FROM ${table}`).pluck(),
    byRefId: db.prepare(`SELECT doc FROM ${table} WHERE ref_id = ?`).pluck(),
    exists: db.prepare(`SELECT 1 FROM ${table} WHERE ref_id = ?`).pluck(),
    delete: db.prepare(`DELETE FROM ${table} WHERE ref_id = ?`),
    insert: db.prepare(spec.insert),
    update: db.prepare(spec.update),
  };
  const write = (doc: GoessnerObject, isNew: boolean) => (isNew ? sql.insert : sql.update).run(spec.columns(doc));

  return {
    async query(_ctx, page) {
      const docs = sql.page.all(page.pageSize, page.offset) as string[];
      return { objects: docs.map((d) => JSON.parse(d)), totalCount: sql.count.get() as number };
    },
    async read(_ctx, refId) {
      const doc = sql.byRefId.get(refId) as string | undefined;
      return doc ? JSON.parse(doc) : null;
    },
    async create(_ctx, object, { mustUseAdvisory }) {
      const doc = withRefId(object, chooseRefId(object, mustUseAdvisory, (id) => sql.exists.get(id) !== undefined));
      spec.complete?.(doc);
      write(doc, true);
      return doc;
    },
    async update(_ctx, refId, partial) {
      const stored = sql.byRefId.get(refId) as string | undefined;
      if (!stored) return false;
      write(applyPartial(JSON.parse(stored), partial), false);
      return true;
    },
    async delete(_ctx, refId) {
      if (!sql.exists.get(refId)) return false;
      spec.beforeDelete?.(refId);
      return sql.delete.run(refId).changes > 0;
    },
  };
}
