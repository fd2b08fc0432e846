import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';

// The rooms of lib/ (its directories; each file directly in lib/ is a room of its own) import one
// way: no directory reaches back, by runtime imports, to one that reaches it. Type-only imports
// vanish at compile time and may go either way.

const LIB = path.resolve(__dirname, '../../lib');

/** One runtime import between two rooms: where it stands and what it names. */
interface RoomEdge { readonly from: string; readonly to: string; readonly where: string }

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(file);
    return /\.ts$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [file] : [];
  });
}

function roomOf(root: string, file: string): string {
  return path.relative(root, file).split(path.sep)[0]!;
}

/** The relative module specifiers a file imports at runtime (`import type`, `{ type X }` only, left out). */
function valueImports(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const specifiers: string[] = [];
  const typeOnlyNames = (elements: ts.NodeArray<ts.ImportSpecifier | ts.ExportSpecifier>): boolean =>
    elements.length > 0 && elements.every((e) => e.isTypeOnly);
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly = clause !== undefined && (clause.isTypeOnly
        || (!clause.name && clause.namedBindings !== undefined && ts.isNamedImports(clause.namedBindings) && typeOnlyNames(clause.namedBindings.elements)));
      if (!typeOnly) specifiers.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const typeOnly = node.isTypeOnly || (node.exportClause !== undefined && ts.isNamedExports(node.exportClause) && typeOnlyNames(node.exportClause.elements));
      if (!typeOnly) specifiers.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0]!)
      && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) {
      specifiers.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specifiers.filter((s) => s.startsWith('.'));
}

function roomEdges(root: string): RoomEdge[] {
  return sourceFiles(root).flatMap((file) => valueImports(file).flatMap((specifier) => {
    const target = path.resolve(path.dirname(file), specifier);
    if (!target.startsWith(root + path.sep)) return [];
    const from = roomOf(root, file);
    const to = roomOf(root, target);
    return from === to ? [] : [{ from, to, where: `${path.relative(root, file)} → ${specifier}` }];
  }));
}

/** The groups of rooms that reach one another (Tarjan's strongly connected components of size > 1). */
function roomCycles(edges: readonly RoomEdge[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const e of edges) next.set(e.from, (next.get(e.from) ?? new Set()).add(e.to));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const connect = (room: string): void => {
    index.set(room, index.size);
    low.set(room, index.get(room)!);
    stack.push(room);
    onStack.add(room);
    for (const to of next.get(room) ?? []) {
      if (!index.has(to)) {
        connect(to);
        low.set(room, Math.min(low.get(room)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(room, Math.min(low.get(room)!, index.get(to)!));
      }
    }
    if (low.get(room) === index.get(room)) {
      const group: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        group.push(member);
      } while (member !== room);
      if (group.length > 1) groups.push(group.sort());
    }
  };
  for (const room of next.keys()) if (!index.has(room)) connect(room);
  return groups;
}

/** Each cycle with the imports that make it, for a failure message that says what to move. */
function describeCycles(root: string): string[] {
  const edges = roomEdges(root);
  return roomCycles(edges).map((group) => {
    const inside = edges.filter((e) => group.includes(e.from) && group.includes(e.to));
    return `${group.join(' ↔ ')}:\n${inside.map((e) => `  ${e.where}`).join('\n')}`;
  });
}

describe('lib/ directories import one way (style guide: no import cycles between rooms)', () => {
  test('no runtime import cycle between directories of lib/', () => {
    expect(describeCycles(LIB)).toEqual([]);
  });

  test('the check sees a cycle, also through three rooms, and ignores type-only imports', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sif-layering-'));
    try {
      const write = (file: string, text: string): void => {
        fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        fs.writeFileSync(path.join(root, file), text);
      };
      write('a/one.ts', "import { two } from '../b/two';\nexport const one = two;\n");
      write('b/two.ts', "import { three } from '../c/three';\nexport const two = three;\n");
      write('c/three.ts', "import type { One } from '../a/types';\nimport { type Two } from '../b/types';\nexport const three = 3;\n");
      write('a/types.ts', 'export type One = 1;\n');
      write('b/types.ts', 'export type Two = 2;\n');
      expect(describeCycles(root)).toEqual([]);

      write('c/back.ts', "export { one } from '../a/one';\n");
      const cycles = describeCycles(root);
      expect(cycles).toHaveLength(1);
      expect(cycles[0]).toMatch(/^a ↔ b ↔ c:/);
      expect(cycles[0]).toContain('c/back.ts → ../a/one');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
