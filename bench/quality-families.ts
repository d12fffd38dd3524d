/**
 * Workflows outside the shared WfFormat set for bench:quality (issue 12): the shapes where
 * planners part ways. Generated (src/synthetic/families.ts, seeded), each planned on the
 * heterogeneous map with the spot pool and on a six-pool, three-region map.
 */
import { resolve } from 'node:path';
import { loadResourceMap } from '../src/load/files.js';
import type { ResourceMap, TaskDefinition } from '../src/model/types.js';
import { fanWorkflow, shuffleWorkflow, sixPoolMap } from '../src/synthetic/families.js';
import { layeredDag } from '../src/synthetic/layered.js';
import { REPO_ROOT } from './common.js';

export interface FamilyCase {
  /** family/name, e.g. "fan/fan-500x2". */
  readonly workflow: string;
  readonly family: string;
  readonly definition: TaskDefinition;
}

export interface FamilyScenario {
  readonly id: string;
  readonly description: string;
  readonly resources: ResourceMap;
}

export function familyCases(): FamilyCase[] {
  const cases: Array<[string, TaskDefinition]> = [
    // Inputs at the free on-prem pool (its id is "onprem" in both maps).
    ['fan', fanWorkflow({ width: 200, inputHome: 'onprem', seed: 1 })],
    ['fan', fanWorkflow({ width: 500, inputHome: 'onprem', seed: 2 })],
    ['fan', fanWorkflow({ width: 1000, rounds: 1, inputHome: 'onprem', seed: 3 })],
    ['shuffle', shuffleWorkflow({ width: 100, layers: 5, seed: 1 })],
    ['shuffle', shuffleWorkflow({ width: 200, layers: 5, seed: 2 })],
    ['layered', layeredDag({ tasks: 1000, seed: 1 })],
  ];
  return cases.map(([family, definition]) => ({ workflow: `${family}/${definition.name}`, family, definition }));
}

export function familyScenarios(): FamilyScenario[] {
  return [
    { id: 'hetero', description: '`examples/pools/hetero.json`', resources: loadResourceMap(resolve(REPO_ROOT, 'examples/pools/hetero.json')) },
    { id: 'six-pool', description: 'six pools in three regions, free on-prem by the data (`sixPoolMap()`)', resources: sixPoolMap() },
  ];
}
