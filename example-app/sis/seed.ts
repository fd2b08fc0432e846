import type { GoessnerObject } from 'sif3-direct';
import type { SisDatabase } from './database';
import { bulkLoad, countRows } from './database';
import { COURSES, FAMILY_NAMES, GIVEN_NAMES } from './names';
import type { SeededRandom } from './random';
import { seededRandom } from './random';

/** How much data to generate. */
export interface SeedOptions {
  /** Number of students. Default 2000. */
  students?: number;
  /** Rosters per school. Default 20 (60 in all). */
  rostersPerSchool?: number;
  /** Students per roster. Default 25. */
  rosterSize?: number;
  /** PRNG seed: the same seed gives the same data. Default 2026. */
  seed?: number;
}

const SCHOOLS = [
  { name: 'Springfield Elementary School', localId: 'SES', grades: ['KG', '01', '02', '03', '04', '05'], firstAge: 5 },
  { name: 'Springfield Middle School', localId: 'SMS', grades: ['06', '07', '08'], firstAge: 11 },
  { name: 'Springfield High School', localId: 'SHS', grades: ['09', '10', '11', '12'], firstAge: 14 },
] as const;

const SCHOOL_YEAR = 2026;

/** A row of the generated district, in the columns both databases store. */
export interface SeedRows {
  school(refId: string, localId: string, name: string, doc: string): void;
  student(refId: string, localId: string, schoolRefId: string, familyName: string, givenName: string, doc: string): void;
  roster(refId: string, schoolRefId: string, courseTitle: string, doc: string): void;
  member(rosterRefId: string, studentRefId: string): void;
}

/**
 * The Springfield School District in SIF xPress Roster shapes, row by row into `rows` (schools, then
 * students, then rosters with their members): 3 schools, 2,000 students (by default) and 60
 * rosters. Deterministic, so that SQLite and PostgreSQL hold the very same district.
 */
export function generateDistrict(options: SeedOptions, rows: SeedRows): void {
  const rnd = seededRandom(options.seed ?? 2026);
  const studentCount = options.students ?? 2000;
  const leaRefId = rnd.uuid();
  const schools = SCHOOLS.map((s, i) => {
    const refId = rnd.uuid();
    rows.school(refId, s.localId, s.name, JSON.stringify(xSchool(refId, leaRefId, s, i)));
    return { ...s, refId, students: [] as StudentRef[] };
  });
  for (let i = 0; i < studentCount; i++) {
    const school = schools[i % schools.length]!;
    const student = xStudent(rnd, i, leaRefId, school);
    school.students.push(student.ref);
    rows.student(student.ref.refId, student.ref.localId, school.refId, student.ref.familyName, student.ref.givenName, JSON.stringify(student.doc));
  }
  for (const school of schools) {
    for (let r = 0; r < (options.rostersPerSchool ?? 20); r++) {
      const roster = xRoster(rnd, r, school, options.rosterSize ?? 25);
      rows.roster(roster.refId, school.refId, roster.courseTitle, JSON.stringify(roster.doc));
      for (const member of roster.members) rows.member(roster.refId, member.refId);
    }
  }
}

/**
 * Fills an empty SQLite SIS database with the district (`generateDistrict`); does nothing when data
 * exists. One transaction, statements prepared once, count triggers off until the end (see bulkLoad).
 */
export function seedIfEmpty(db: SisDatabase, options: SeedOptions = {}): boolean {
  if (countRows(db).schools > 0) return false;
  const insertSchool = db.prepare('INSERT INTO schools (ref_id, local_id, name, doc) VALUES (?, ?, ?, ?)');
  const insertStudent = db.prepare(
    'INSERT INTO students (ref_id, local_id, school_ref_id, family_name, given_name, doc) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const insertRoster = db.prepare('INSERT INTO rosters (ref_id, school_ref_id, course_title, doc) VALUES (?, ?, ?, ?)');
  const insertMember = db.prepare('INSERT OR IGNORE INTO roster_students (roster_ref_id, student_ref_id) VALUES (?, ?)');
  bulkLoad(db, () =>
    generateDistrict(options, {
      school: (...row) => void insertSchool.run(...row),
      student: (...row) => void insertStudent.run(...row),
      roster: (...row) => void insertRoster.run(...row),
      member: (...row) => void insertMember.run(...row),
    }),
  );
  return true;
}

interface StudentRef {
  refId: string;
  localId: string;
  givenName: string;
  familyName: string;
}

function xSchool(refId: string, leaRefId: string, s: (typeof SCHOOLS)[number], i: number): GoessnerObject {
  return {
    '@refId': refId,
    leaRefId,
    localId: s.localId,
    stateProvinceId: `IL-${1001 + i}`,
    schoolName: s.name,
    gradeLevels: { gradeLevel: [...s.grades] },
    address: {
      addressType: 'Physical',
      line1: `${100 + i * 200} Evergreen Terrace`,
      city: 'Springfield',
      stateProvince: 'IL',
      countryCode: 'US',
      postalCode: '62701',
    },
    phoneNumber: { phoneNumberType: 'Main', number: `217555${String(1000 + i).padStart(4, '0')}`, primaryIndicator: 'true' },
  };
}

function xStudent(rnd: SeededRandom, i: number, leaRefId: string, school: { refId: string; grades: readonly string[]; firstAge: number }) {
  const refId = rnd.uuid();
  const givenName = rnd.pick(GIVEN_NAMES);
  const familyName = rnd.pick(FAMILY_NAMES);
  const localId = String(100001 + i);
  const gradeIndex = rnd.int(school.grades.length);
  const birthYear = SCHOOL_YEAR - school.firstAge - gradeIndex - 1;
  const birthDate = `${birthYear}-${String(1 + rnd.int(12)).padStart(2, '0')}-${String(1 + rnd.int(28)).padStart(2, '0')}`;
  const doc: GoessnerObject = {
    '@refId': refId,
    name: { type: 'LegalName', familyName, givenName },
    localId,
    otherIds: { otherId: [{ type: 'State', id: String(900000000 + i * 7) }] },
    email: { emailType: 'Organizational', emailAddress: `${givenName}.${familyName}.${localId}@springfield.k12.example`.toLowerCase() },
    demographics: { sex: rnd.pick(['Male', 'Female']), birthDate },
    enrollment: {
      leaRefId,
      schoolRefId: school.refId,
      membershipType: 'Home',
      entryDate: `${SCHOOL_YEAR - 1}-08-24`,
      gradeLevel: school.grades[gradeIndex]!,
      homeRoomNumber: String(100 + rnd.int(60)),
    },
  };
  return { ref: { refId, localId, givenName, familyName }, doc };
}

function xRoster(rnd: SeededRandom, r: number, school: { refId: string; localId: string; students: StudentRef[] }, size: number) {
  const refId = rnd.uuid();
  const [courseTitle, subject] = COURSES[r % COURSES.length]!;
  const members = new Map<string, StudentRef>();
  while (members.size < Math.min(size, school.students.length)) {
    const s = rnd.pick(school.students);
    members.set(s.refId, s);
  }
  const teacher = { refId: rnd.uuid(), localId: `T${school.localId}${String(r + 1).padStart(3, '0')}`, givenName: rnd.pick(GIVEN_NAMES), familyName: rnd.pick(FAMILY_NAMES) };
  const doc: GoessnerObject = {
    '@refId': refId,
    courseRefId: rnd.uuid(),
    courseTitle,
    subject,
    schoolRefId: school.refId,
    schoolSectionId: `${school.localId}-${String(r + 1).padStart(3, '0')}`,
    schoolYear: String(SCHOOL_YEAR),
    sessionCode: 'FY',
    // The member list lives in roster_students; the xRosters handler composes it on every read.
    primaryStaff: { staffPersonReference: teacher, teacherOfRecord: 'true' },
  };
  return { refId, courseTitle, doc, members: [...members.values()] };
}
