import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The client core must run in browsers and React Native: it is compiled here with browser typings
// only (no Node types), so Buffer, process, require or node: imports anywhere in what it imports
// fail to compile. The provider modules it uses (XML and JSON parsers and writers) have type-only
// imports that reach store records naming Buffer in type positions, so Buffer is declared as a type
// and never as a value: any run-time use (Buffer.from…) still fails. The shim lives only in the
// temporary folder, never in the project's own compilations.
const root = join(__dirname, '..', '..');

test('the client core compiles with browser typings only (no Node APIs)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sif3-client-platform-'));
  try {
    writeFileSync(join(dir, 'buffer-type.d.ts'), 'interface Buffer extends Uint8Array {}\n');
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: join(root, 'tsconfig.json'),
        compilerOptions: { lib: ['ES2022', 'DOM', 'DOM.Iterable'], types: [], noEmit: true, paths: {}, typeRoots: [] },
        include: [],
        files: [join(root, 'lib', 'client', 'index.ts'), join(dir, 'buffer-type.d.ts')],
      }),
    );
    const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
