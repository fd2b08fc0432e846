import { INFRASTRUCTURE_VERSIONS } from '../../lib/protocol/enums';
import { schemaSkipReason, xsdErrors } from '../helpers/xsd';
import { Harness } from './harness';
import { REQUIREMENTS } from './requirements';

// `npm run conformance`: runs every requirement against the example SIS over real HTTP, once per
// infrastructure version it can speak, and validates every infrastructure payload it answered
// against that version's official XSD. One line per requirement, then `N passed, N failed`.
// Exits non-zero when a MUST fails or a payload is invalid. `--table` prints the list as Markdown.

async function main(): Promise<number> {
  if (process.argv.includes('--table')) {
    console.log('| id | level | source | requirement |\n|---|---|---|---|');
    for (const r of REQUIREMENTS) console.log(`| ${r.id} | ${r.level} | ${r.source} | ${r.text} |`);
    return 0;
  }
  let passed = 0;
  let failed = 0;
  let mustFailed = 0;
  const skip = schemaSkipReason();
  if (skip && process.env.SIF_REQUIRE_SCHEMAS) {
    console.log(`FAIL schema validation is required (SIF_REQUIRE_SCHEMAS) but cannot run: ${skip}`);
    return 1;
  }
  for (const version of INFRASTRUCTURE_VERSIONS) {
    console.log(`\n# SIF ${version} provider`);
    const h = await Harness.start(version);
    try {
      const demo = await h.register('DemoApp', 'DemoSecret', `audit-demo-${version}`);
      const readOnly = await h.register('ReadOnlyApp', 'ReadOnlySecret', `audit-ro-${version}`);
      for (const r of REQUIREMENTS) {
        try {
          await r.check({ h, demo, readOnly });
          passed++;
          console.log(`PASS ${r.id.padEnd(9)} ${r.level.padEnd(6)} ${r.text}`);
        } catch (err) {
          failed++;
          if (r.level === 'MUST') mustFailed++;
          console.log(`FAIL ${r.id.padEnd(9)} ${r.level.padEnd(6)} ${r.text}\n       ${r.source}: ${firstLine(err)}`);
        }
      }
      if (skip) {
        console.log(`SKIP XSD-${version} official-schema validation: ${skip}`);
      } else {
        for (const { root, xml, version: payloadVersion } of h.payloads) {
          const problem = xsdErrors(xml, payloadVersion);
          const id = `XSD-${payloadVersion}-${root}`;
          if (problem) {
            failed++;
            mustFailed++;
            console.log(`FAIL ${id} MUST   ${root} validates against the ${payloadVersion} XSD\n       ${firstLine(problem)}`);
          } else {
            passed++;
          }
        }
        console.log(`PASS XSD-${version} ${h.payloads.length} infrastructure payloads (${[...new Set(h.payloads.map((p) => `${p.root} ${p.version}`))].join(', ')}) validated against the official XSD of their namespace`);
      }
    } finally {
      await h.stop();
    }
  }
  console.log(`\n${passed} passed, ${failed} failed`);
  return mustFailed > 0 ? 1 : 0;
}

function firstLine(err: unknown): string {
  return String(err instanceof Error ? err.message : err).split('\n').filter(Boolean).slice(0, 3).join(' | ').slice(0, 400);
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
