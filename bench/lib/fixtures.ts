import Database from 'better-sqlite3';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS } from '../../lib/config/resolve';
import { SqliteStore } from '../../lib/store/sqlite';
import { openSisDatabase } from '../../example-app/sis/database';
import { seedIfEmpty } from '../../example-app/sis/seed';

/** A seeded SIS database, made once per size and copied for every scenario. */
export interface SisTemplate {
  students: number;
  file: string;
  seedSeconds: number;
  /** Every student's refId, in row order. */
  ids: string[];
  schoolRefId: string;
  /** That school's district (`leaRefId`), which the xPress model requires on an enrollment. */
  leaRefId: string;
  /** The family name of a student in the middle of the table. */
  familyName: string;
}

/** Seeds `<dir>/template-<n>/sis.db` with the example SIS's own seeding, in this process. */
export function makeSisTemplate(dir: string, students: number): SisTemplate {
  const folder = join(dir, `template-${students}`);
  mkdirSync(folder, { recursive: true });
  const file = join(folder, 'sis.db');
  const t0 = Date.now();
  const db = openSisDatabase(file);
  seedIfEmpty(db, { students });
  const seedSeconds = (Date.now() - t0) / 1000;
  const ids = db.prepare('SELECT ref_id FROM students ORDER BY seq').pluck().all() as string[];
  const schoolRefId = db.prepare('SELECT ref_id FROM schools ORDER BY rowid LIMIT 1').pluck().get() as string;
  const familyName = db.prepare('SELECT family_name FROM students WHERE ref_id = ?').pluck().get(ids[Math.floor(ids.length / 2)]) as string;
  const leaRefId = db.prepare("SELECT json_extract(doc, '$.leaRefId') FROM schools WHERE ref_id = ?").pluck().get(schoolRefId) as string;
  // Everything into the main file, so that a plain file copy is the whole database.
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { students, file, seedSeconds, ids, schoolRefId, leaRefId, familyName };
}

/**
 * A SIF state database whose change log is at its cap (`changeLog.maxEntries`, default 100,000):
 * filled through the store's own `appendChanges` (so the meta counters are the store's), in batches
 * of 1,000, all dated now so that none is past `changeLog.maxAgeDays`.
 */
export async function makeFullChangeLog(dir: string, entries = DEFAULTS.changeLogMaxEntries): Promise<string> {
  const file = join(dir, 'state-full-log.db');
  const store = new SqliteStore(file, { durability: 'normal' });
  const retention = { maxEntries: entries, olderThan: new Date(0).toISOString() };
  for (let n = 0; n < entries; n += 1000) {
    const batch = Array.from({ length: Math.min(1000, entries - n) }, (_, i) => ({ serviceName: 'xStudents', objectId: `00000000-0000-4000-8000-${String(n + i).padStart(12, '0')}`, action: 'CREATE' as const }));
    await store.appendChanges(batch, new Date().toISOString(), retention);
  }
  await store.close();
  const db = new Database(file);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return file;
}

/** How many entries a state database's change log holds. */
export function changeLogEntries(stateFile: string): number {
  const db = new Database(stateFile, { readonly: true });
  try {
    return db.prepare('SELECT count(*) FROM changes').pluck().get() as number;
  } finally {
    db.close();
  }
}

/** A new data directory holding a copy of the template (and of a state database, if given). */
export function freshDataDir(parent: string, template: SisTemplate, stateFile?: string): string {
  const dir = mkdtempSync(join(parent, 'run-'));
  copyFileSync(template.file, join(dir, 'sis.db'));
  if (stateFile) copyFileSync(stateFile, join(dir, 'sif-state.db'));
  return dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
