#!/usr/bin/env node
/**
 * The `sif3-direct` command line (package.json `bin`): `sif3-direct model compile <xsd> --out <dir>`.
 *
 * @example
 * npx sif3-direct model compile ../shared/schemas/datamodel/SIF_AU_3.4.8_SIF_Message.xsd --out models/au-3.4.8
 */
import { runModelCommand } from './compile-command';

process.exitCode = runModelCommand(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
