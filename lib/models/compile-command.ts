import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { compileSchema } from './compiler';

/** Where the command writes. */
export interface CommandIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

const USAGE = `Usage: sif3-direct model compile <schema.xsd> --out <dir> [--name <name>]

Compiles an official SIF data-model XSD (any region and version) into <dir>/model.json, loaded
with dataModel('<dir>'), and <dir>/types.ts, the TypeScript type of every object (re-exporting
<dir>/types/common.ts and one <dir>/types/<Object>.ts per object).
--name defaults to the region and version in the file name (SIF_AU_3.4.8_… gives au-3.4.8).
`;

/**
 * Runs `model compile <xsd> --out <dir> [--name <name>]`; returns the exit status.
 *
 * @example
 * await runModelCommand(['model', 'compile', 'SIF_AU_3.4.8_SIF_Message.xsd', '--out', 'models/au'], process);
 */
export function runModelCommand(args: readonly string[], io: CommandIo): number {
  const [group, command, ...rest] = args;
  if (group !== 'model' || command !== 'compile') {
    io.stderr.write(USAGE);
    return group === undefined || group === '--help' ? 0 : 2;
  }
  let out: string | undefined;
  let name: string | undefined;
  const files: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--out') out = rest[++i];
    else if (arg === '--name') name = rest[++i];
    else if (arg.startsWith('--')) return usage(io, `unknown option ${arg}`);
    else files.push(arg);
  }
  if (files.length !== 1 || !out) return usage(io, files.length !== 1 ? 'give one schema file' : '--out <dir> is required');
  const modelName = name ?? defaultName(files[0]!);
  try {
    const { model, types } = compileSchema(files[0]!, modelName);
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'model.json'), `${JSON.stringify(model)}\n`);
    for (const [path, text] of Object.entries(types)) {
      mkdirSync(dirname(join(out, path)), { recursive: true });
      writeFileSync(join(out, path), text);
    }
    io.stdout.write(
      `${modelName}: ${Object.keys(model.objects).length} objects, ${Object.keys(model.types).length} complex and ${Object.keys(model.scalars).length} simple types (${model.namespace}) → ${out}\n`,
    );
    return 0;
  } catch (err) {
    io.stderr.write(`sif3-direct: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

function usage(io: CommandIo, problem: string): number {
  io.stderr.write(`sif3-direct: ${problem}\n\n${USAGE}`);
  return 2;
}

/** `SIF_AU_3.4.8_SIF_Message.xsd` → `au-3.4.8`; otherwise the file's base name. */
function defaultName(file: string): string {
  const base = basename(file).replace(/\.xsd$/i, '');
  const m = /SIF_([A-Za-z]{2})_(\d+(?:\.\d+)*)/.exec(base);
  return m ? `${m[1]!.toLowerCase()}-${m[2]}` : base;
}
