/** Test helpers: build problems from plain objects or fixture files. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assembleProblem, type Problem, type ProblemOptions } from '../../src/model/problem.js';
import { validateResourceMap } from '../../src/model/validate-pools.js';
import { validateTaskDefinition } from '../../src/model/validate-task.js';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const WFINSTANCES = join(REPO_ROOT, '..', 'shared', 'data', 'wfinstances');

export function readJson(relativePath: string): unknown {
  return JSON.parse(readFileSync(join(REPO_ROOT, relativePath), 'utf8'));
}

export function problemOf(task: unknown, pools: unknown, options: ProblemOptions = {}): Problem {
  return assembleProblem(validateTaskDefinition(task), validateResourceMap(pools), options);
}

export function heftClassicProblem(): Problem {
  return problemOf(readJson('test/fixtures/heft-topcuoglu-2002.json'), readJson('test/fixtures/heft-topcuoglu-2002.pools.json'), { objective: 'makespan' });
}

/** Every WfFormat trace under ../shared/data/wfinstances, sorted; empty if the folder is missing. */
export function wfInstanceFiles(dir = WFINSTANCES): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return wfInstanceFiles(path);
      return name.endsWith('.json') ? [path] : [];
    });
}
