import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Validation against the official infrastructure XSDs, read from `SIF_SCHEMAS_DIR` (CI points it at
 * `../shared/schemas/infrastructure`). The schemas are never copied into this repository.
 */
export const SCHEMAS_DIR = process.env.SIF_SCHEMAS_DIR ? resolve(process.env.SIF_SCHEMAS_DIR) : undefined;

export const SCHEMA_ENTRY = {
  '3.2.1': '3.2.1/Collections.xsd',
  '3.3': '3.3/SIF_Message.xsd',
} as const;

/** Why schema tests cannot run here, or undefined when they can. */
export function schemaSkipReason(): string | undefined {
  if (!SCHEMAS_DIR) return 'SIF_SCHEMAS_DIR is not set';
  if (!existsSync(join(SCHEMAS_DIR, SCHEMA_ENTRY['3.2.1']))) return `no ${SCHEMA_ENTRY['3.2.1']} under ${SCHEMAS_DIR}`;
  try {
    execFileSync('xmllint', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'xmllint is not installed (Debian package libxml2-utils)';
  }
  return undefined;
}

/** Validates an XML document; returns xmllint's complaint, or undefined when it is valid. */
export function xsdErrors(xml: string, version: keyof typeof SCHEMA_ENTRY): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'sif3-xsd-'));
  const file = join(dir, 'doc.xml');
  writeFileSync(file, xml);
  try {
    execFileSync('xmllint', ['--noout', '--schema', join(SCHEMAS_DIR!, SCHEMA_ENTRY[version]), file], { stdio: 'pipe' });
    return undefined;
  } catch (err) {
    return String((err as { stderr?: Buffer }).stderr ?? err);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
