import { cpuUsage } from 'node:process';
import { join } from 'node:path';

// `npx tsx bench/micro/writers.ts [beforeTree]`: CPU time of writing one xStudent and a page of 100
// (shapeForOutput per object, then the XML or JSON writer, as the requests connector does) with this
// tree's lib/payload and, given a second tree (e.g. an export of the previous commit), with that
// one's, interleaved. Prints µs per document (user + system CPU, best of 5 rounds).

type Lib = {
  toXml: (root: string, value: unknown, ns?: string) => string;
  toJson: (root: string, value: unknown) => string;
  shapeForOutput: (value: unknown, tree: unknown, root?: string) => unknown;
  compileRepeatable: (paths: readonly string[]) => unknown;
};

function load(tree: string): Lib {
  /* eslint-disable @typescript-eslint/no-require-imports */
  return {
    ...(require(join(tree, 'lib/payload/xml')) as Pick<Lib, 'toXml'>),
    ...(require(join(tree, 'lib/payload/json')) as Pick<Lib, 'toJson'>),
    ...(require(join(tree, 'lib/payload/objects')) as Pick<Lib, 'shapeForOutput' | 'compileRepeatable'>),
  };
}

// What the example SIS stores for a student (example-app/sis/seed.ts), as SQLite's JSON gives it back.
function student(i: number): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify({
      '@refId': `5f0c${String(i).padStart(4, '0')}-1d2e-4c3b-9a8f-0123456789ab`,
      name: { type: 'LegalName', familyName: 'Nguyen', givenName: 'Amy' },
      localId: String(100001 + i),
      otherIds: { otherId: [{ type: 'State', id: String(900000000 + i * 7) }] },
      email: { emailType: 'Organizational', emailAddress: `amy.nguyen.${100001 + i}@springfield.k12.example` },
      demographics: { sex: 'Female', birthDate: '2012-04-17' },
      enrollment: { leaRefId: 'c0ffee00-0000-4000-8000-000000000001', schoolRefId: 'c0ffee00-0000-4000-8000-000000000002', membershipType: 'Home', entryDate: '2025-08-24', gradeLevel: '07', homeRoomNumber: '123' },
    }),
  ) as Record<string, unknown>;
}

const NS = 'http://www.sifassociation.org/datamodel/na/3.6';
const REPEATABLE = ['otherIds/otherId', 'otherEmails/email'];

function cases(lib: Lib): [string, () => string][] {
  const tree = lib.compileRepeatable(REPEATABLE);
  const one = student(1);
  const page = Array.from({ length: 100 }, (_, i) => student(i));
  const pageValue = () => ({ xStudent: page.map((o) => lib.shapeForOutput(o, tree, 'xStudent')) });
  return [
    ['one xStudent, XML', () => lib.toXml('xStudent', lib.shapeForOutput(one, tree, 'xStudent'), NS)],
    ['one xStudent, JSON', () => lib.toJson('xStudent', lib.shapeForOutput(one, tree, 'xStudent'))],
    ['page of 100, XML', () => lib.toXml('xStudents', pageValue(), NS)],
    ['page of 100, JSON', () => lib.toJson('xStudents', pageValue())],
    ['page of 100, JSON.stringify alone', () => JSON.stringify({ xStudents: { xStudent: page } })],
  ];
}

function measure(write: () => string, iterations: number): number {
  for (let i = 0; i < iterations / 10; i++) write();
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const t0 = cpuUsage();
    for (let i = 0; i < iterations; i++) write();
    const t = cpuUsage(t0);
    best = Math.min(best, (t.user + t.system) / iterations);
  }
  return best;
}

const trees: [string, string][] = [['now', join(__dirname, '..', '..')]];
if (process.argv[2]) trees.unshift(['before', process.argv[2]]);
const libs = trees.map(([name, tree]) => [name, cases(load(tree))] as const);
console.log(`| document | ${trees.map(([n]) => `${n} µs`).join(' | ')} |\n|---|${trees.map(() => '---|').join('')}`);
for (let c = 0; c < libs[0]![1].length; c++) {
  const name = libs[0]![1][c]![0];
  const iterations = name.startsWith('page') ? 2000 : 100_000;
  console.log(`| ${name} | ${libs.map(([, cs]) => measure(cs[c]![1], iterations).toFixed(2)).join(' | ')} |`);
}
