/**
 * Solver benchmark: HiGHS (WASM) and javascript-lp-solver on the refinement models at three
 * sizes (LP lower bound and ILP skeleton), a time-limit check, and the lower bound's gap on
 * every WfFormat trace × the hetero pools (plan objective of the apportion planner / bound).
 *
 *   npm run bench:solver        (node --import tsx bench/solver.ts)
 *   npm run bench:solver -- --only budget    only the six-pool bound-within-budget table
 *
 * Writes bench/results/solver.md and solver.json, prints the markdown; progress on stderr.
 */
import { loadResourceMap, loadTaskDefinition } from '../src/load/files.js';
import { assembleProblem, type Problem } from '../src/model/problem.js';
import { planConstructive } from '../src/plan/planner.js';
import { lpBound, type LpBound } from '../src/solve/bound.js';
import { buildRefinementModel, chooseGroups } from '../src/solve/skeleton.js';
import { createSolver } from '../src/solve/create.js';
import type { BackendId, SolveResult } from '../src/solve/solver.js';
import { layeredDag, syntheticPools } from '../src/synthetic/layered.js';
import { describeMachine, formatMs, formatNumber, geometricMean, listWorkflowFiles, markdownTable, progress, REPO_ROOT, reportHeader, workflowName, writeResult } from './common.js';
import { assignmentModel } from '../test/helpers/models.js';

const COMMAND = 'npm run bench:solver  (node --import tsx bench/solver.ts)';
const BACKENDS: readonly BackendId[] = ['highs', 'jslp'];
const BOUND_LIMIT_MS = 20_000;
const ILP_LIMIT_MS = 10_000;
const HETERO = `${REPO_ROOT}/examples/pools/hetero.json`;
const SIX_POOL = `${REPO_ROOT}/examples/pools/six-pool.json`;
/**
 * The bound's share of a 2 s engine budget at most: REFINE_SHARE (0.5) × the refiner's bound
 * share (0.7) × 2000 ms, before the construct and partition phases take their part.
 */
const ENGINE_BOUND_MS = 700;
const WF = `${REPO_ROOT}/../shared/data/wfinstances`;

interface BudgetCase {
  readonly id: string;
  readonly problem: (objective: 'weighted' | 'makespan') => Problem;
}

const BUDGET_CASES: readonly BudgetCase[] = [
  { id: 'seismology-chameleon-1000p-001 × six-pool', problem: (objective) => assembleProblem(loadTaskDefinition(`${WF}/pegasus/seismology/seismology-chameleon-1000p-001.json`), loadResourceMap(SIX_POOL), { objective }) },
  { id: 'montage-chameleon-dss-10d-001 × six-pool', problem: (objective) => assembleProblem(loadTaskDefinition(`${WF}/pegasus/montage/montage-chameleon-dss-10d-001.json`), loadResourceMap(SIX_POOL), { objective }) },
  { id: 'epigenomics-chameleon-ilmn-2seq-100k-001 × six-pool', problem: (objective) => assembleProblem(loadTaskDefinition(`${WF}/pegasus/epigenomics/epigenomics-chameleon-ilmn-2seq-100k-001.json`), loadResourceMap(SIX_POOL), { objective }) },
  { id: 'layeredDag({ tasks: 1000 }) × six-pool', problem: (objective) => assembleProblem(layeredDag({ tasks: 1000 }), loadResourceMap(SIX_POOL), { objective }) },
];

interface BudgetRow {
  readonly id: string;
  readonly objective: 'weighted' | 'makespan';
  readonly stages: number;
  readonly limitMs: number;
  readonly ms: number;
  readonly state: LpBound['state'];
  readonly boundObjective: number;
  readonly planObjective: number;
  readonly ratio: number;
  readonly notes: readonly string[];
}

/** The bound with the time the engine gives it, on 1,000-task-class problems over six pools (warm solver). */
async function budgetRows(): Promise<BudgetRow[]> {
  const solver = createSolver('highs');
  const rows: BudgetRow[] = [];
  for (const c of BUDGET_CASES) {
    for (const objective of ['weighted', 'makespan'] as const) {
      progress(`budget: ${c.id} (${objective})`);
      const problem = c.problem(objective);
      await lpBound(problem, solver, { timeLimitMs: 50 }); // warm the runtime and the JIT
      const plan = planConstructive(problem).plan.summary.objective;
      for (const limitMs of [ENGINE_BOUND_MS / 2, ENGINE_BOUND_MS]) {
        const started = performance.now();
        const bound = await lpBound(problem, solver, { timeLimitMs: limitMs });
        const ms = performance.now() - started;
        rows.push({ id: c.id, objective, stages: problem.stages.nodeCount, limitMs, ms, state: bound.state, boundObjective: bound.objective, planObjective: plan, ratio: plan / bound.objective, notes: bound.notes });
      }
    }
  }
  return rows;
}

function budgetReport(rows: readonly BudgetRow[]): string[] {
  return [
    '',
    `## Bound within the engine's budget: six pools, large traces (time limit ≤ ${ENGINE_BOUND_MS} ms, the bound's share of a 2 s budget)`,
    '',
    ...markdownTable(
      ['case', 'objective', 'stages', 'limit ms', 'ms', 'state', 'bound', 'plan (constructive)', 'plan / bound', 'levels'],
      rows.map((r) => [r.id, r.objective, String(r.stages), formatMs(r.limitMs), formatMs(r.ms), r.state, formatNumber(r.boundObjective), formatNumber(r.planObjective), formatNumber(r.ratio), r.notes.filter((n) => / LP /.test(n)).join('; ')]),
      new Set([2, 3, 4, 6, 7, 8]),
    ),
  ];
}

interface SizeCase {
  readonly id: string;
  readonly description: string;
  readonly problem: () => Problem;
}

const SIZES: readonly SizeCase[] = [
  { id: 'small', description: 'examples/log-analytics.json × examples/pools/hetero.json', problem: () => assembleProblem(loadTaskDefinition(`${REPO_ROOT}/examples/log-analytics.json`), loadResourceMap(HETERO)) },
  {
    id: 'medium',
    description: 'montage-chameleon-dss-10d-001 (WfFormat) × hetero',
    problem: () => assembleProblem(loadTaskDefinition(`${REPO_ROOT}/../shared/data/wfinstances/pegasus/montage/montage-chameleon-dss-10d-001.json`), loadResourceMap(HETERO)),
  },
  { id: 'large', description: 'layeredDag({ tasks: 10000 }) × syntheticPools({ pools: 16 })', problem: () => assembleProblem(layeredDag({ tasks: 10_000 }), syntheticPools({ pools: 16 })) },
];

interface SolverRow {
  readonly size: string;
  readonly backend: BackendId;
  readonly stages: number;
  readonly bound: { readonly ms: number; readonly state: LpBound['state']; readonly objective: number; readonly makespanS: number; readonly notes: readonly string[] };
  readonly ilp: { readonly ms: number; readonly state: SolveResult['state']; readonly objective?: number; readonly dualBound?: number; readonly integral?: boolean; readonly variables: number; readonly integers: number; readonly rows: number; readonly grouping: string };
}

async function solverRows(): Promise<SolverRow[]> {
  const rows: SolverRow[] = [];
  for (const size of SIZES) {
    const problem = size.problem();
    for (const backend of BACKENDS) {
      progress(`solver: ${size.id} × ${backend}`);
      const solver = createSolver(backend);
      let started = performance.now();
      const bound = await lpBound(problem, solver, { timeLimitMs: BOUND_LIMIT_MS });
      const boundMs = performance.now() - started;
      const { groups, levelBand, label } = chooseGroups(problem, 5000);
      const layout = buildRefinementModel(problem, groups, levelBand);
      started = performance.now();
      const ilp = await solver.solve(layout.model, { timeLimitMs: ILP_LIMIT_MS, integer: true, relativeGap: 0.01 });
      const ilpMs = performance.now() - started;
      const solved = ilp.state === 'optimal' || ilp.state === 'feasible' ? ilp : undefined;
      rows.push({
        size: size.id,
        backend,
        stages: problem.stages.nodeCount,
        bound: { ms: boundMs, state: bound.state, objective: bound.objective, makespanS: bound.makespanS, notes: bound.notes },
        ilp: {
          ms: ilpMs,
          state: ilp.state,
          ...(solved !== undefined ? { objective: solved.objective, integral: solved.integral } : {}),
          ...(solved?.dualBound !== undefined ? { dualBound: solved.dualBound } : {}),
          variables: layout.model.variables.length,
          integers: layout.integerCount,
          rows: layout.model.constraints.length,
          grouping: label,
        },
      });
      solver.close();
    }
  }
  return rows;
}

interface LimitRow {
  readonly backend: BackendId;
  readonly size: string;
  readonly limitMs: number;
  readonly ms: number;
  readonly state: SolveResult['state'];
  readonly objective?: number;
  readonly dualBound?: number;
}

async function limitRows(): Promise<LimitRow[]> {
  const out: LimitRow[] = [];
  const cases: [BackendId, number, number, number][] = [
    ['highs', 200, 10, 300],
    ['highs', 200, 10, 3000],
    ['jslp', 30, 4, 1000],
    ['jslp', 200, 10, 1000],
  ];
  for (const [backend, jobs, machines, limitMs] of cases) {
    progress(`time limit: ${backend} ${jobs}×${machines} @ ${limitMs} ms`);
    const started = performance.now();
    const result = await createSolver(backend).solve(assignmentModel(jobs, machines), { timeLimitMs: limitMs, integer: true, relativeGap: 0.01 });
    const ms = performance.now() - started;
    const solved = result.state === 'optimal' || result.state === 'feasible' ? result : undefined;
    out.push({ backend, size: `${jobs} jobs × ${machines} machines`, limitMs, ms, state: result.state, ...(solved ? { objective: solved.objective } : {}), ...(solved?.dualBound !== undefined ? { dualBound: solved.dualBound } : {}) });
  }
  return out;
}

interface GapRow {
  readonly workflow: string;
  readonly tasks: number;
  readonly objective: 'weighted' | 'makespan';
  readonly planObjective: number;
  readonly boundObjective: number;
  readonly ratio: number;
  readonly planMakespanS: number;
  readonly boundMakespanS: number;
  readonly criticalPathS: number;
  readonly pathBoundS: number;
  readonly planEgressUsd: number;
  readonly planCostUsd: number;
  readonly boundMs: number;
  readonly state: LpBound['state'];
}

async function gapRows(): Promise<GapRow[]> {
  const solver = createSolver('highs');
  const pools = loadResourceMap(HETERO);
  const rows: GapRow[] = [];
  for (const file of listWorkflowFiles().files) {
    const definition = loadTaskDefinition(file);
    for (const objective of ['weighted', 'makespan'] as const) {
      progress(`gap: ${workflowName(file)} (${objective})`);
      const problem = assembleProblem(definition, pools, { objective });
      const started = performance.now();
      const bound = await lpBound(problem, solver, { timeLimitMs: BOUND_LIMIT_MS });
      const boundMs = performance.now() - started;
      const plan = planConstructive(problem).plan;
      rows.push({
        workflow: workflowName(file),
        tasks: problem.stages.nodeCount,
        objective,
        planObjective: plan.summary.objective,
        boundObjective: bound.objective,
        ratio: plan.summary.objective / bound.objective,
        planMakespanS: plan.summary.makespanS,
        boundMakespanS: bound.makespanS,
        criticalPathS: bound.criticalPathS,
        pathBoundS: bound.pathBoundS,
        planEgressUsd: plan.terms.egressUsd,
        planCostUsd: plan.summary.costUsd,
        boundMs,
        state: bound.state,
      });
    }
  }
  return rows;
}

function family(workflow: string): string {
  const parts = workflow.split('/');
  return parts.length > 2 ? parts.slice(0, 2).join('/') : parts[0]!;
}

function report(machine: ReturnType<typeof describeMachine>, date: string, solverRowsOut: readonly SolverRow[], limits: readonly LimitRow[], gaps: readonly GapRow[], runS: number): string {
  const lines = reportHeader('apportion solvers: HiGHS vs javascript-lp-solver, and the lower bound’s gap', COMMAND, date, machine);
  lines.push(`- run time: ${runS.toFixed(1)} s`);
  lines.push(`- limits: bound ${BOUND_LIMIT_MS / 1000} s, ILP ${ILP_LIMIT_MS / 1000} s, relative MIP gap 1 %; sizes: ${SIZES.map((s) => `${s.id} = ${s.description}`).join('; ')}`);
  lines.push('', '## Refinement models', '');
  lines.push(
    ...markdownTable(
      ['size', 'backend', 'stages', 'LP bound ms', 'bound state', 'bound objective', 'bound makespan s', 'ILP vars (int) / rows', 'grouping', 'ILP ms', 'ILP state', 'ILP objective', 'integral', 'dual bound'],
      solverRowsOut.map((r) => [
        r.size,
        r.backend,
        String(r.stages),
        formatMs(r.bound.ms),
        r.bound.state,
        formatNumber(r.bound.objective),
        formatNumber(r.bound.makespanS),
        `${r.ilp.variables} (${r.ilp.integers}) / ${r.ilp.rows}`,
        r.ilp.grouping,
        formatMs(r.ilp.ms),
        r.ilp.state,
        formatNumber(r.ilp.objective),
        r.ilp.integral === undefined ? '–' : r.ilp.integral ? 'yes' : 'no',
        formatNumber(r.ilp.dualBound),
      ]),
      new Set([2, 3, 5, 6, 9, 11, 13]),
    ),
  );
  lines.push('', 'Bound objective in the problem’s unit (weighted: USD). The ILP objective is the refinement model’s own (approximate) value, not a plan’s.');
  lines.push('', '## Time limits (P||Cmax binary assignment)', '');
  lines.push(
    ...markdownTable(
      ['backend', 'model', 'limit ms', 'wall ms', 'state', 'objective', 'dual bound'],
      limits.map((r) => [r.backend, r.size, String(r.limitMs), formatMs(r.ms), r.state, formatNumber(r.objective), formatNumber(r.dualBound)]),
      new Set([2, 3, 5, 6]),
    ),
  );
  lines.push('', '## Lower-bound gap: apportion plan / bound, 35 traces × hetero pools', '');
  for (const objective of ['weighted', 'makespan'] as const) {
    const rows = gaps.filter((g) => g.objective === objective);
    const gm = geometricMean(rows.map((r) => r.ratio));
    const gmMakespan = geometricMean(rows.map((r) => r.planMakespanS / r.boundMakespanS));
    const gmCp = geometricMean(rows.map((r) => r.planMakespanS / r.criticalPathS));
    lines.push(`- ${objective}: geometric mean plan/bound objective **${formatNumber(gm)}** (n=${rows.length}); plan makespan / bound makespan ${formatNumber(gmMakespan)}; plan makespan / quick critical path alone ${formatNumber(gmCp)}; ${rows.filter((r) => r.state !== 'lp').length} fell back to the quick bounds; bound time max ${formatMs(Math.max(...rows.map((r) => r.boundMs)))} ms`);
  }
  const families = [...new Set(gaps.map((g) => family(g.workflow)))];
  lines.push('', 'Geometric mean per workflow family:', '');
  lines.push(
    ...markdownTable(
      ['family', 'n', 'weighted plan/bound', 'makespan plan/bound'],
      families.map((f) => {
        const of = (o: 'weighted' | 'makespan') => geometricMean(gaps.filter((g) => family(g.workflow) === f && g.objective === o).map((g) => g.ratio));
        return [f, String(gaps.filter((g) => family(g.workflow) === f && g.objective === 'weighted').length), formatNumber(of('weighted')), formatNumber(of('makespan'))];
      }),
      new Set([1, 2, 3]),
    ),
  );
  lines.push('', 'Per workflow (weighted objective, USD; makespans in s):', '');
  lines.push(
    ...markdownTable(
      ['workflow', 'tasks', 'plan', 'bound', 'plan/bound', 'plan makespan', 'bound makespan', 'critical path', 'path bound', 'plan egress USD', 'makespan obj plan/bound', 'bound ms'],
      gaps
        .filter((g) => g.objective === 'weighted')
        .map((g) => {
          const m = gaps.find((x) => x.workflow === g.workflow && x.objective === 'makespan');
          return [g.workflow, String(g.tasks), formatNumber(g.planObjective), formatNumber(g.boundObjective), formatNumber(g.ratio), formatNumber(g.planMakespanS), formatNumber(g.boundMakespanS), formatNumber(g.criticalPathS), formatNumber(g.pathBoundS), formatNumber(g.planEgressUsd), formatNumber(m?.ratio), formatMs(g.boundMs)];
        }),
      new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
    ),
  );
  lines.push('');
  return lines.join('\n');
}

async function main(): Promise<void> {
  const machine = describeMachine();
  const date = new Date().toISOString();
  const started = performance.now();
  if (process.argv.includes('--only') && process.argv[process.argv.indexOf('--only') + 1] === 'budget') {
    const lines = reportHeader('apportion solvers: the lower bound within the engine’s budget', `${COMMAND} -- --only budget`, date, machine);
    lines.push(...budgetReport(await budgetRows()), '');
    writeResult('solver-budget.md', lines.join('\n'));
    process.stdout.write(lines.join('\n'));
    return;
  }
  const solverResults = await solverRows();
  const limits = await limitRows();
  const gaps = await gapRows();
  const budget = await budgetRows();
  const markdown = `${report(machine, date, solverResults, limits, gaps, (performance.now() - started) / 1000)}${budgetReport(budget).join('\n')}\n`;
  writeResult('solver.md', markdown);
  writeResult('solver.json', `${JSON.stringify({ command: COMMAND, date, machine, solver: solverResults, limits, gaps, budget }, null, 2)}\n`);
  process.stdout.write(markdown);
}

await main();
