import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REQUIREMENTS } from './requirements';

// The audit itself runs as `npm run conformance`; here, the list's own consistency.

test('requirement ids are unique and stable in form', () => {
  const ids = REQUIREMENTS.map((r) => r.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids.every((id) => /^[A-Z]+-\d{3}$/.test(id))).toBe(true);
});

test('REQUIREMENTS.md lists every requirement as it is defined', () => {
  const table = readFileSync(join(__dirname, 'REQUIREMENTS.md'), 'utf8');
  for (const r of REQUIREMENTS) expect(table).toContain(`| ${r.id} | ${r.level} | ${r.source} | ${r.text} |`);
  expect(table.match(/^\| [A-Z]+-\d{3} /gm)).toHaveLength(REQUIREMENTS.length);
});
