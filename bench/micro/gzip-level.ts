// `npx tsx bench/micro/gzip-level.ts`: CPU time and size of gzip at levels 1, 4 and 6 for a page of 100
// xStudents (XML and JSON) and one xStudent, as lib/http/respond.ts compresses them.
import { gzipSync, constants } from 'node:zlib';
import { cpuUsage } from 'node:process';
import { toXml } from '../../lib/payload/xml';
import { toJson } from '../../lib/payload/json';
function student(i: number) { return JSON.parse(JSON.stringify({ '@refId': `5f0c${i}-1d2e-4c3b-9a8f-0123456789ab`, name: { type: 'LegalName', familyName: ['Nguyen','Smith','Garcia'][i%3], givenName: ['Amy','Bo','Cy','Di'][i%4] }, localId: String(100001 + i), otherIds: { otherId: [{ type: 'State', id: String(900000000 + i * 7) }] }, email: { emailType: 'Organizational', emailAddress: `amy.nguyen.${100001 + i}@springfield.k12.example` }, demographics: { sex: 'Female', birthDate: '2012-04-17' }, enrollment: { leaRefId: 'c0ffee00-0000-4000-8000-000000000001', schoolRefId: 'c0ffee00-0000-4000-8000-000000000002', membershipType: 'Home', entryDate: '2025-08-24', gradeLevel: '07', homeRoomNumber: '123' } })); }
for (const [name, body] of [['xml page', toXml('xStudents', { xStudent: Array.from({ length: 100 }, (_, i) => student(i)) }, 'ns')], ['json page', toJson('xStudents', { xStudent: Array.from({ length: 100 }, (_, i) => student(i)) })], ['xml one', toXml('xStudent', student(1), 'ns')]] as const) {
  const buf = Buffer.from(body);
  for (const level of [1, 4, 6]) {
    let out = 0; for (let i = 0; i < 50; i++) out = gzipSync(buf, { level }).length;
    let best = 1e9; for (let r = 0; r < 5; r++) { const t = cpuUsage(); for (let i = 0; i < 200; i++) gzipSync(buf, { level }); const d = cpuUsage(t); best = Math.min(best, (d.user + d.system) / 200); }
    console.log(name, buf.length, 'level', level, '→', out, 'bytes', best.toFixed(0), 'µs');
  }
}
