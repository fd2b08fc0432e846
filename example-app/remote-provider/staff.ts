import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import type { GoessnerObject, QueryRequest, QueryResult } from 'sif3-direct';
import { ConflictError, compareByOrder, matchesWhere } from 'sif3-direct';
import type { ProvideHandlers } from 'sif3-direct/client';

// The staff directory of Springfield: its own SQLite file, which only this process opens. It is
// the source of truth for xStaffs; the district SIS serves them to consumers without holding them.

/** The staff directory's data and the handlers that serve it (the shapes a service's handlers have in process). */
export interface StaffDirectory {
  handlers: ProvideHandlers;
  count(): number;
  close(): void;
}

const FAMILY = ['Krabappel', 'Hoover', 'Skinner', 'Chalmers', 'Largo', 'Pye', 'Willie', 'Doris', 'Lovejoy', 'Frink'];
const GIVEN = ['Edna', 'Elizabeth', 'Seymour', 'Gary', 'Dewey', 'Zelda', 'Otto', 'Lunch', 'Helen', 'John'];

/**
 * Opens (and on first use seeds with `seed` staff members) the directory in `file`. `pageDelayMs`
 * slows each page down, to watch (or test) a long answer.
 *
 * @example
 * const staff = openStaffDirectory('example-app/data/staff.db', { seed: 40 });
 */
export function openStaffDirectory(file: string, options: { seed?: number; pageDelayMs?: number } = {}): StaffDirectory {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE IF NOT EXISTS staff (seq INTEGER PRIMARY KEY, ref_id TEXT NOT NULL UNIQUE, doc TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO staff (ref_id, doc) VALUES (?, ?)');
  const count = db.prepare('SELECT count(*) FROM staff').pluck();
  const page = db.prepare('SELECT doc FROM staff ORDER BY seq LIMIT ? OFFSET ?').pluck();
  const all = db.prepare('SELECT doc FROM staff ORDER BY seq').pluck();
  const exists = db.prepare('SELECT 1 FROM staff WHERE ref_id = ?').pluck();
  if ((count.get() as number) === 0) {
    db.transaction(() => {
      for (let i = 0; i < (options.seed ?? 40); i++) {
        const refId = `5a1f0000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
        insert.run(refId, JSON.stringify(staffMember(refId, FAMILY[i % FAMILY.length]!, GIVEN[Math.floor(i / FAMILY.length) % GIVEN.length]!, i)));
      }
    })();
  }
  const delay = () => new Promise((resolve) => setTimeout(resolve, options.pageDelayMs ?? 0));

  const query = async (_ctx: unknown, q: QueryRequest): Promise<QueryResult> => {
    await delay();
    if (!q.where && !q.order) {
      return { objects: (page.all(q.pageSize, q.offset) as string[]).map((d) => JSON.parse(d) as GoessnerObject), totalCount: count.get() as number };
    }
    // A small directory: filters in memory with the library's reference evaluator.
    let rows = (all.all() as string[]).map((d) => JSON.parse(d) as GoessnerObject);
    if (q.where) rows = rows.filter((o) => matchesWhere(o, q.where!));
    if (q.order) rows.sort((a, b) => compareByOrder(a, b, q.order!));
    return { objects: rows.slice(q.offset, q.offset + q.pageSize), totalCount: rows.length };
  };

  const createMany: NonNullable<ProvideHandlers['createMany']> = async (_ctx, objects, { mustUseAdvisory }) =>
    db.transaction(() =>
      objects.map((o): GoessnerObject | Error => {
        const advisory = typeof o['@refId'] === 'string' ? o['@refId'] : undefined;
        if (advisory && exists.get(advisory)) return new ConflictError(`Staff member ${advisory} exists`);
        if (mustUseAdvisory && !advisory) return new ConflictError('mustUseAdvisory needs a refId');
        const stored = { ...o, '@refId': advisory ?? randomUUID() };
        insert.run(stored['@refId'], JSON.stringify(stored));
        return stored;
      }),
    )();

  return {
    handlers: { query, createMany },
    count: () => count.get() as number,
    close: () => db.close(),
  };
}

function staffMember(refId: string, familyName: string, givenName: string, i: number): GoessnerObject {
  return {
    '@refId': refId,
    name: { type: 'LegalName', familyName, givenName },
    localId: `S${1000 + i}`,
    email: { emailType: 'Organizational', emailAddress: `${givenName.toLowerCase()}.${familyName.toLowerCase()}@springfield.example.org` },
  };
}
