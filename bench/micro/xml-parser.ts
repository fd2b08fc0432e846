import { cpuUsage } from 'node:process';
import { join } from 'node:path';

// `npx tsx bench/micro/xml-parser.ts [beforeTree]`: CPU time of parsing XML payloads as the requests
// connector does (parseXml), with this tree's lib/payload and, given a second tree (e.g. an export of
// the previous commit), with that one's, interleaved. Prints µs per document (user + system CPU,
// best of 5 rounds). The foreign-namespace case shows what a document with namespaces costs.

type Parse = (text: string) => unknown;

function load(tree: string): Parse {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(join(tree, 'lib/payload/xml')) as { parseXml: Parse }).parseXml;
}

const NA = 'http://www.sifassociation.org/datamodel/na/3.6';
const student = (i: number) =>
  `<xStudent refId="5f0c${String(i).padStart(4, '0')}-1d2e-4c3b-9a8f-0123456789ab"><name><type>LegalName</type><familyName>Nguyen</familyName><givenName>Amy</givenName></name>` +
  `<localId>${100001 + i}</localId><otherIds><otherId><type>State</type><id>${900000000 + i * 7}</id></otherId></otherIds>` +
  `<email><emailType>Organizational</emailType><emailAddress>amy.nguyen.${100001 + i}@springfield.k12.example</emailAddress></email>` +
  `<demographics><sex>Female</sex><birthDate>2012-04-17</birthDate></demographics>` +
  `<enrollment><leaRefId>c0ffee00-0000-4000-8000-000000000001</leaRefId><schoolRefId>c0ffee00-0000-4000-8000-000000000002</schoolRefId><membershipType>Home</membershipType><entryDate>2025-08-24</entryDate><gradeLevel>07</gradeLevel><homeRoomNumber>123</homeRoomNumber></enrollment></xStudent>`;
const one = student(1).replace('<xStudent ', `<xStudent xmlns="${NA}" `);
const page = `<xStudents xmlns="${NA}">${Array.from({ length: 100 }, (_, i) => student(i)).join('')}</xStudents>`;
const prefixed = page.replace(/<(\/?)([A-Za-z])/g, '<$1s:$2').replace(`xmlns="${NA}"`, `xmlns:s="${NA}"`);

const CASES: [string, string][] = [
  ['one xStudent', one],
  ['page of 100', page],
  ['page of 100, every element prefixed', prefixed],
];

function measure(run: () => unknown, iterations: number): number {
  for (let i = 0; i < iterations / 10; i++) run();
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const t0 = cpuUsage();
    for (let i = 0; i < iterations; i++) run();
    const t = cpuUsage(t0);
    best = Math.min(best, (t.user + t.system) / iterations);
  }
  return best;
}

const trees: [string, string][] = [['now', join(__dirname, '..', '..')]];
if (process.argv[2]) trees.unshift(['before', process.argv[2]]);
const parsers = trees.map(([name, tree]) => [name, load(tree)] as const);
console.log(`| document | ${trees.map(([n]) => `${n} µs`).join(' | ')} |\n|---|${trees.map(() => '---|').join('')}`);
for (const [name, text] of CASES) {
  const iterations = name.startsWith('page') ? 2000 : 100_000;
  console.log(`| ${name} | ${parsers.map(([, parse]) => measure(() => parse(text), iterations).toFixed(2)).join(' | ')} |`);
}
