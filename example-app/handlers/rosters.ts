import type { GoessnerObject, ServiceDefinition } from 'sif3-direct';
import { BadRequestError } from 'sif3-direct';
import type { PagedQuery } from '../query/documents';
import type { Row, SisConnection, SqlRunner } from '../sis/connection';
import { rowCount } from '../sis/counts';
import type { Work } from '../sis/work';
import { step } from '../sis/work';
import { batchHandlers } from './batch';
import { XPRESS } from './xpress';
import type { SingleWrites } from './document-table';
import { applyPartial, withRefId, child, chooseRefId, requiredText, text } from './common';

/**
 * xRosters on the SIS's `rosters` and `roster_students` tables. The member list is not stored in the
 * roster document: it is composed from `roster_students` and the students' current names on every
 * read, so that it never goes stale when a student changes or leaves.
 */
export function rostersService(sis: SisConnection): ServiceDefinition {
  interface Member {
    rosterRefId: string;
    refId: string;
    localId: string;
    givenName: string;
    familyName: string;
  }
  type RosterRow = { ref_id: string; doc: unknown };

  /** Rosters with their member lists, in one query for the whole page. */
  function* withMembers(sql: SqlRunner, rows: RosterRow[]): Work<GoessnerObject[]> {
    const members = rows.length === 0 ? [] : yield* step(
      sql.rows<Member & Row>(
        `SELECT rs.roster_ref_id AS "rosterRefId", s.ref_id AS "refId", s.local_id AS "localId", s.given_name AS "givenName", s.family_name AS "familyName"
         FROM roster_students rs JOIN students s ON s.ref_id = rs.student_ref_id
         WHERE rs.roster_ref_id IN (${rows.map(() => '?').join(', ')}) ORDER BY s.family_name, s.given_name, s.ref_id`,
        rows.map((r) => r.ref_id),
      ),
    );
    // Grouped once per page (each roster's members keep the query's order), not filtered per roster.
    const byRoster = new Map<string, GoessnerObject[]>();
    for (const { rosterRefId, refId, localId, givenName, familyName } of members) {
      let own = byRoster.get(rosterRefId);
      if (!own) byRoster.set(rosterRefId, (own = []));
      own.push({ refId, localId, givenName, familyName });
    }
    return rows.map((row) => {
      const doc = sql.dialect.parseDoc(row.doc) as GoessnerObject;
      const studentReference = byRoster.get(row.ref_id);
      return studentReference ? insertAfter(doc, 'sessionCode', 'students', { studentReference }) : doc;
    });
  }

  function* exists(sql: SqlRunner, table: 'rosters' | 'schools' | 'students', refId: string): Work<boolean> {
    return (yield* step(sql.value(`SELECT 1 FROM ${table} WHERE ref_id = ?`, [refId]))) !== undefined;
  }

  /** Stores a roster; the membership is replaced when the payload carried a student list. */
  function* save(sql: SqlRunner, doc: GoessnerObject, isNew: boolean): Work<void> {
    const { students, ...stored } = doc;
    const schoolRefId = requiredText(stored, 'schoolRefId');
    if (!(yield* exists(sql, 'schools', schoolRefId))) throw new BadRequestError(`No school with refId ${schoolRefId}`);
    const refId = stored['@refId'] as string;
    const courseTitle = requiredText(stored, 'courseTitle');
    if (isNew) {
      yield* step(sql.run('INSERT INTO rosters (ref_id, school_ref_id, course_title, doc) VALUES (?, ?, ?, ?)', [refId, schoolRefId, courseTitle, JSON.stringify(stored)]));
    } else {
      yield* step(sql.run('UPDATE rosters SET school_ref_id = ?, course_title = ?, doc = ? WHERE ref_id = ?', [schoolRefId, courseTitle, JSON.stringify(stored), refId]));
    }
    if (students === undefined) return;
    const refs = child(doc, 'students', 'studentReference');
    const ids: string[] = [];
    for (const [i, r] of (Array.isArray(refs) ? refs : refs === undefined ? [] : [refs]).entries()) {
      const id = text(child(r as GoessnerObject, 'refId'));
      if (!id || !(yield* exists(sql, 'students', id))) throw new BadRequestError(`studentReference ${i + 1} names no known student`);
      ids.push(id);
    }
    yield* step(sql.run('DELETE FROM roster_students WHERE roster_ref_id = ?', [refId]));
    for (const id of ids) {
      yield* step(sql.run('INSERT INTO roster_students (roster_ref_id, student_ref_id) VALUES (?, ?) ON CONFLICT DO NOTHING', [refId, id]));
    }
  }

  function* read(sql: SqlRunner, refId: string): Work<GoessnerObject | null> {
    const row = yield* step(sql.row<RosterRow>('SELECT ref_id, doc FROM rosters WHERE ref_id = ?', [refId]));
    return row ? (yield* withMembers(sql, [row]))[0]! : null;
  }

  /** One page in row order: after the cursor's row when the walk gives one that still exists, else by OFFSET. */
  function* page(sql: SqlRunner, query: PagedQuery): Work<GoessnerObject[]> {
    const rowId = sql.dialect.rowId;
    const after = query.after ? yield* step(sql.value<number>(`SELECT ${rowId} FROM rosters WHERE ref_id = ?`, [query.after.id])) : undefined;
    const rows = yield* step(
      after === undefined
        ? sql.rows<RosterRow>(`SELECT ref_id, doc FROM rosters ORDER BY ${rowId} LIMIT ? OFFSET ?`, [query.pageSize, query.offset])
        : sql.rows<RosterRow>(`SELECT ref_id, doc FROM rosters WHERE ${rowId} > ? ORDER BY ${rowId} LIMIT ?`, [after, query.pageSize]),
    );
    return yield* withMembers(sql, rows);
  }

  // The single-object writes as units of work, so that the batch handlers can run them in one transaction.
  const one: SingleWrites = {
    *create(sql, object, mustUseAdvisory) {
      const advisory = typeof object['@refId'] === 'string' ? object['@refId'] : undefined;
      const taken = advisory !== undefined && (yield* exists(sql, 'rosters', advisory));
      const refId = chooseRefId(object, mustUseAdvisory, (id) => id === advisory && taken);
      yield* save(sql, withRefId(object, refId), true);
      return (yield* read(sql, refId))!;
    },
    *update(sql, refId, partial) {
      const row = yield* step(sql.row<RosterRow>('SELECT ref_id, doc FROM rosters WHERE ref_id = ?', [refId]));
      if (!row) return false;
      yield* save(sql, applyPartial(sql.dialect.parseDoc(row.doc) as GoessnerObject, partial), false);
      return true;
    },
    *delete(sql, refId) {
      return (yield* step(sql.run('DELETE FROM rosters WHERE ref_id = ?', [refId]))) > 0;
    },
  };

  return XPRESS.service('xRoster', {
    validate: true,
    handlers: {
      query: (_ctx, query) =>
        sis.read(function* (sql) {
          return { objects: yield* page(sql, query), totalCount: (yield* rowCount(sql, 'rosters')) ?? 0 };
        }),
      read: (_ctx, refId) => sis.read((sql) => read(sql, refId)),
      create: (_ctx, object, { mustUseAdvisory }) => sis.write((sql) => one.create(sql, object, mustUseAdvisory)),
      update: (_ctx, refId, partial) => sis.write((sql) => one.update(sql, refId, partial)),
      delete: (_ctx, refId) => sis.write((sql) => one.delete(sql, refId)),
      ...batchHandlers(sis, one),
    },
  });
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
