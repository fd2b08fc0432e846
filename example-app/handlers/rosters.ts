import type { GoessnerObject, ServiceDefinition } from 'sif3-direct';
import { BadRequestError } from 'sif3-direct';
import type { SisDatabase } from '../sis/database';
import { rowCount } from '../sis/database';
import { batchHandlers } from './batch';
import type { PagedQuery } from './document-table';
import { NA_NAMESPACE, applyPartial, withRefId, child, chooseRefId, requiredText, text } from './common';

/**
 * xRosters on the SIS's `rosters` and `roster_students` tables. The member list is not stored in the
 * roster document: it is composed from `roster_students` and the students' current names on every
 * read, so that it never goes stale when a student changes or leaves.
 */
export function rostersService(db: SisDatabase): ServiceDefinition {
  const sql = {
    page: db.prepare('SELECT ref_id, doc FROM rosters ORDER BY rowid LIMIT ? OFFSET ?'),
    rowOf: db.prepare('SELECT rowid FROM rosters WHERE ref_id = ?').pluck(),
    pageAfter: db.prepare('SELECT ref_id, doc FROM rosters WHERE rowid > ? ORDER BY rowid LIMIT ?'),
    byRefId: db.prepare('SELECT ref_id, doc FROM rosters WHERE ref_id = ?'),
    exists: db.prepare('SELECT 1 FROM rosters WHERE ref_id = ?').pluck(),
    schoolExists: db.prepare('SELECT 1 FROM schools WHERE ref_id = ?').pluck(),
    studentExists: db.prepare('SELECT 1 FROM students WHERE ref_id = ?').pluck(),
    members: db.prepare(
      `SELECT rs.roster_ref_id AS rosterRefId, s.ref_id AS refId, s.local_id AS localId, s.given_name AS givenName, s.family_name AS familyName
       FROM roster_students rs JOIN students s ON s.ref_id = rs.student_ref_id
       WHERE rs.roster_ref_id IN (SELECT value FROM json_each(?)) ORDER BY s.family_name, s.given_name, s.ref_id`,
    ),
    insert: db.prepare('INSERT INTO rosters (ref_id, school_ref_id, course_title, doc) VALUES (@refId, @schoolRefId, @courseTitle, @doc)'),
    update: db.prepare('UPDATE rosters SET school_ref_id = @schoolRefId, course_title = @courseTitle, doc = @doc WHERE ref_id = @refId'),
    clearMembers: db.prepare('DELETE FROM roster_students WHERE roster_ref_id = ?'),
    addMember: db.prepare('INSERT OR IGNORE INTO roster_students (roster_ref_id, student_ref_id) VALUES (?, ?)'),
    delete: db.prepare('DELETE FROM rosters WHERE ref_id = ?'),
  };

  interface Member {
    rosterRefId: string;
    refId: string;
    localId: string;
    givenName: string;
    familyName: string;
  }

  /** Rosters with their member lists, in one query for the whole page. */
  function withMembers(rows: { ref_id: string; doc: string }[]): GoessnerObject[] {
    const members = sql.members.all(JSON.stringify(rows.map((r) => r.ref_id))) as Member[];
    return rows.map((row) => {
      const doc = JSON.parse(row.doc) as GoessnerObject;
      const own = members.filter((m) => m.rosterRefId === row.ref_id);
      if (own.length === 0) return doc;
      const studentReference = own.map(({ refId, localId, givenName, familyName }) => ({ refId, localId, givenName, familyName }));
      return insertAfter(doc, 'sessionCode', 'students', { studentReference });
    });
  }

  /** Stores a roster; `members` replaces the membership when the payload carried a student list. */
  const save = db.transaction((doc: GoessnerObject, isNew: boolean) => {
    const { students, ...stored } = doc;
    const schoolRefId = requiredText(stored, 'schoolRefId');
    if (!sql.schoolExists.get(schoolRefId)) throw new BadRequestError(`No school with refId ${schoolRefId}`);
    const row = { refId: stored['@refId'] as string, schoolRefId, courseTitle: requiredText(stored, 'courseTitle'), doc: JSON.stringify(stored) };
    if (isNew) sql.insert.run(row);
    else sql.update.run(row);
    if (students === undefined) return;
    const refs = child(doc, 'students', 'studentReference');
    const ids = (Array.isArray(refs) ? refs : refs === undefined ? [] : [refs]).map((r, i) => {
      const id = text(child(r as GoessnerObject, 'refId'));
      if (!id || !sql.studentExists.get(id)) throw new BadRequestError(`studentReference ${i + 1} names no known student`);
      return id;
    });
    sql.clearMembers.run(row.refId);
    for (const id of ids) sql.addMember.run(row.refId, id);
  });

  function read(refId: string): GoessnerObject | null {
    const row = sql.byRefId.get(refId) as { ref_id: string; doc: string } | undefined;
    return row ? withMembers([row])[0]! : null;
  }

  /** One page in row order: after the cursor's row when the walk gives one that still exists, else by OFFSET. */
  function page(query: PagedQuery): { ref_id: string; doc: string }[] {
    const after = query.after ? (sql.rowOf.get(query.after.id) as number | undefined) : undefined;
    const rows = after === undefined ? sql.page.all(query.pageSize, query.offset) : sql.pageAfter.all(after, query.pageSize);
    return rows as { ref_id: string; doc: string }[];
  }

  // The single-object writes, synchronous so that the batch handlers can run them in one transaction.
  const one = {
    create(object: GoessnerObject, mustUseAdvisory: boolean): GoessnerObject {
      const refId = chooseRefId(object, mustUseAdvisory, (id) => sql.exists.get(id) !== undefined);
      save(withRefId(object, refId), true);
      return read(refId)!;
    },
    update(refId: string, partial: GoessnerObject): boolean {
      const row = sql.byRefId.get(refId) as { ref_id: string; doc: string } | undefined;
      if (!row) return false;
      save(applyPartial(JSON.parse(row.doc), partial), false);
      return true;
    },
    delete(refId: string): boolean {
      return sql.delete.run(refId).changes > 0;
    },
  };

  return {
    objectName: 'xRoster',
    namespace: NA_NAMESPACE,
    repeatable: ['students/studentReference', 'otherStaffs/otherStaff', 'meetingTimes/meetingTime'],
    handlers: {
      async query(_ctx, query) {
        return { objects: withMembers(page(query)), totalCount: rowCount(db, 'rosters') ?? 0 };
      },
      async read(_ctx, refId) {
        return read(refId);
      },
      async create(_ctx, object, { mustUseAdvisory }) {
        return one.create(object, mustUseAdvisory);
      },
      async update(_ctx, refId, partial) {
        return one.update(refId, partial);
      },
      async delete(_ctx, refId) {
        return one.delete(refId);
      },
      ...batchHandlers(db, one),
    },
  };
}

/** A copy of `doc` with `key` placed right after `after` (keeping element order), or at the end. */
function insertAfter(doc: GoessnerObject, after: string, key: string, value: GoessnerObject): GoessnerObject {
  const out: GoessnerObject = {};
  for (const [k, v] of Object.entries(doc)) {
    out[k] = v;
    if (k === after) out[key] = value;
  }
  if (!(key in out)) out[key] = value;
  return out;
}
