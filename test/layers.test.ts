/**
 * The layers of src/ run one way: a module imports only from its own folder or from a folder
 * of a strictly lower layer, and no files import each other in a loop. Read from the source
 * text (static imports, `export … from` and dynamic `import('…')`), so a new upward import or
 * cycle fails `npm test` with the files and the names of the folders involved.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

/**
 * Lowest first. The planning path is model → cost → planners/search → solve/kernel → engine →
 * plan → render → cli; history and the profiler sit beside it, below what consumes them.
 * Folders on one layer do not import each other.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ['util', 'types'],
  ['model'],
  ['cost', 'history', 'synthetic', 'forecast'],
  ['profile'],
  ['planners', 'search'],
  ['solve', 'kernel'],
  ['engine'],
  ['plan'],
  ['dispatch'],
  ['evaluate'],
  ['load', 'render'],
  ['cli'],
  ['index.ts'],
];

const layerOf = new Map<string, number>();
LAYERS.forEach((folders, rank) => folders.forEach((folder) => layerOf.set(folder, rank)));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|mts)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The folder under src/ a file belongs to (`index.ts` for the root module). */
function folderOf(file: string): string {
  const rel = relative(SRC, file).split(/[\\/]/);
  return rel.length === 1 ? rel[0]! : rel[0]!;
}

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm;

/** Relative imports of a file, resolved to files under src/ (the .js suffix names the .ts source). */
export function importsOf(file: string): string[] {
  // Strip comments so an example import in a doc comment is not read as one.
  const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
  const out: string[] = [];
  for (const match of text.matchAll(IMPORT)) {
    const spec = match[1] ?? match[2] ?? match[3];
    if (spec === undefined || !spec.startsWith('.')) continue;
    out.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
  }
  return out;
}

const files = sourceFiles(SRC);
const graph = new Map(files.map((file) => [file, importsOf(file).filter((target) => target.startsWith(SRC))]));

test('every folder of src/ has a layer', () => {
  const unknown = [...new Set(files.map(folderOf))].filter((folder) => !layerOf.has(folder));
  assert.equal(unknown, [], `folders without a layer in test/layers.test.ts: ${unknown.join(', ')}`);
});

test('imports run one way: from a folder to its own or to a lower layer', () => {
  const upward: string[] = [];
  for (const [file, targets] of graph) {
    const from = folderOf(file);
    for (const target of targets) {
      const to = folderOf(target);
      if (to === from) continue;
      if (!(layerOf.get(to)! < layerOf.get(from)!)) upward.push(`${relative(SRC, file)} -> ${relative(SRC, target)}`);
    }
  }
  assert.equal(upward, [], `imports that do not run down a layer:\n  ${upward.join('\n  ')}`);
});

test('no import cycles between files', () => {
  // Tarjan's strongly connected components; any component of more than one file is a cycle.
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    indexOf.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!indexOf.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indexOf.get(w)!));
    }
    if (low.get(v) === indexOf.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(relative(SRC, w));
      } while (w !== v);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const file of graph.keys()) if (!indexOf.has(file)) visit(file);
  assert.equal(cycles, [], `import cycles:\n  ${cycles.map((c) => c.join(' <-> ')).join('\n  ')}`);
});

test('the import reader sees static, re-export and dynamic imports', () => {
  // A check that cannot fail is no check: the reader must find the imports of a known file.
  const cli = importsOf(join(SRC, 'index.ts'));
  assert.ok(cli.length > 10, `src/index.ts re-exports from many modules, read ${cli.length}`);
  assert.ok(cli.every((target) => target.startsWith(SRC)));
});

test.run();
