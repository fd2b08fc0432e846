import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// The official data-model XSDs and samples, read where they are and never copied into the repository:
// SIF_DATAMODEL_DIR (else beside SIF_SCHEMAS_DIR's folder, else ../shared/schemas/datamodel from the
// repository root) and SIF_SAMPLES_DIR (else ../shared/samples/datamodel).
const ROOT = resolve(__dirname, '../..');

export const DATAMODEL_DIR = resolve(
  process.env.SIF_DATAMODEL_DIR ?? (process.env.SIF_SCHEMAS_DIR ? join(process.env.SIF_SCHEMAS_DIR, '../datamodel') : join(ROOT, '../shared/schemas/datamodel')),
);
export const SAMPLES_DIR = resolve(process.env.SIF_SAMPLES_DIR ?? join(ROOT, '../shared/samples/datamodel'));

/** The AU 3.4.8 schema the shipped model is compiled from. */
export const AU_XSD = join(DATAMODEL_DIR, 'SIF_AU_3.4.8_SIF_Message.xsd');

/** Why the data-model tests cannot run here (no schema, no samples), or undefined. Fails instead under SIF_REQUIRE_SCHEMAS. */
export function datamodelSkipReason(needXmllint = false): string | undefined {
  let reason: string | undefined;
  if (!existsSync(AU_XSD)) reason = `no ${AU_XSD} (set SIF_DATAMODEL_DIR)`;
  else if (!existsSync(join(SAMPLES_DIR, 'StudentPersonal.spec-example-2019.xml'))) reason = `no AU samples under ${SAMPLES_DIR} (set SIF_SAMPLES_DIR)`;
  else if (needXmllint) {
    try {
      execFileSync('xmllint', ['--version'], { stdio: 'ignore' });
    } catch {
      reason = 'xmllint is not installed (Debian package libxml2-utils)';
    }
  }
  if (reason && process.env.SIF_REQUIRE_SCHEMAS) throw new Error(`data-model tests are required here (SIF_REQUIRE_SCHEMAS) but cannot run: ${reason}`);
  if (reason) console.warn(`SKIPPED data-model tests: ${reason}`);
  return reason;
}

/** Validates a document against the AU 3.4.8 XSD; xmllint's complaint, or undefined when valid. */
export function auXsdErrors(xml: string): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'sif3-au-'));
  const file = join(dir, 'doc.xml');
  writeFileSync(file, xml);
  try {
    execFileSync('xmllint', ['--noout', '--schema', AU_XSD, file], { stdio: 'pipe' });
    return undefined;
  } catch (err) {
    return String((err as { stderr?: Buffer }).stderr ?? err);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
