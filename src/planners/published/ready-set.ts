/**
 * The shared driver of the dynamic ready-set schedulers (MinMin, MaxMin, Sufferage, ETF, DLS, BIL):
 * at each step every ready sub-task (all inputs placed) has a value on every pool it may use
 * (its completion time for MinMin, its start for ETF); the rule turns a sub-task's best and
 * second-best values into a key, the sub-task of largest key is placed on its best pool, and
 * the step repeats. Capacity, slots and transfers are those of listSchedule: SlotBook, and
 * ready times from readyTimeS / readyTimesByRegion.
 *
 * Incremental: a sub-task's ready times are fixed once it is ready (its producers are
 * placed), and a placement changes only the chosen pool's slot book, so after placing on
 * pool p only column p of the ready sub-tasks is recomputed; a row's best and second best
 * are rescanned only when that value changed and p was one of them or now beats the second.
 *
 * Cost: per placement O(R) slot searches on one pool (R = ready sub-tasks; a search is a
 * binary search in append mode on a pool of constant capacity, a bounded gap scan with
 * insertion) + O(P) per rescanned row + O(R) to pick the next; per sub-task becoming ready
 * O(P · (in-degree + one search)). Overall O(n · (R + P) · search + edges · P): on a layered
 * DAG of 1,000 sub-tasks × 16 pools, R ≈ 32. With `rescoreEachStep` every ready row is
 * recomputed per placement instead: O(n · R · P · search).
 */
import { readyTimeS, readyTimesByRegion } from '../../cost/simulate.js';
import { SlotBook } from '../../cost/slots.js';
import type { Problem } from '../../model/problem.js';
import type { SubtaskGraph } from '../../model/subtasks.js';
import { unplaceable, type ListSchedule, type PoolScore } from '../list-schedule.js';
import { MAX_EXPECTED_RUNTIME_S } from '../../model/limits.js';
import type { PublishedOptions } from './common.js';

/** A sub-task expected to run longer never finishes there (as `usable`; read once, the loops are hot). */
const LONGEST_S = MAX_EXPECTED_RUNTIME_S;

export interface ReadySetRule {
  /** Value of running s on p with the start and finish found there; lower is better. */
  readonly value: PoolScore;
  /** Key of a ready sub-task from its best and second-best values: the largest goes next. */
  readonly key: (best: number, second: number, s: number) => number;
  /** Among equal keys the larger goes first (ETF: static level); then the topological position. */
  readonly tieBreak?: ArrayLike<number> | undefined;
  /**
   * For rules whose key needs the whole row and the number of ready sub-tasks (BIL): replaces
   * `key`. `cells[offset + p]` is the value on pool p (∞ where it cannot run); `pin` ≥ 0 means
   * only that pool counts. `rowVersion` changes whenever a value of u's row (or its pin) does,
   * so the rule may cache what it derives from the row.
   */
  readonly rowKey?: ((u: number, cells: Float64Array, offset: number, pin: number, readyCount: number, rowVersion: number) => number) | undefined;
  /** Pool for the chosen sub-task (BIL's revised BIM*), among the finite cells; default: its best. Not called for pinned sub-tasks nor with a score override. */
  readonly choosePool?: ((u: number, cells: Float64Array, offset: number, readyCount: number) => number) | undefined;
}

export function readySetSchedule(problem: Problem, graph: SubtaskGraph, rule: ReadySetRule, options: PublishedOptions): ListSchedule {
  const n = graph.nodeCount;
  const P = problem.pools.count;
  const value = options.score ?? rule.value;
  const allocation = new Int32Array(n).fill(-1);
  const startS = new Float64Array(n);
  const finishS = new Float64Array(n).fill(Number.NaN);
  const book = new SlotBook(problem.pools, options.insertion, options.partial?.nowS ?? 0);
  const position = new Int32Array(n);
  graph.order.forEach((s, i) => {
    position[s] = i;
  });
  const readyAt = new Float64Array(n * P);
  const cell = new Float64Array(n * P);
  const cellFinish = new Float64Array(n * P);
  const best = new Float64Array(n);
  const second = new Float64Array(n);
  const bestPool = new Int32Array(n);
  const secondPool = new Int32Array(n);
  // Effective pin: the caller's, while the pool can run the sub-task and still has room.
  const pin = new Int32Array(n).fill(-1);
  const ready: number[] = [];
  const byRegion = problem.network.freeWithinRegions ? new Float64Array(problem.network.regionCount) : undefined;

  const rowVersion = new Int32Array(n);
  const computeCell = (u: number, p: number): void => {
    const k = u * P + p;
    const before = cell[k]!;
    const d = graph.expectedS[k]!;
    const start = d <= LONGEST_S ? book.find(p, readyAt[k]!, d) : Number.POSITIVE_INFINITY;
    if (!Number.isFinite(start)) {
      cell[k] = Number.POSITIVE_INFINITY;
      cellFinish[k] = Number.POSITIVE_INFINITY;
    } else {
      allocation[u] = p; // scores read the producers' pools against this one
      cell[k] = value(u, p, start, start + d, allocation);
      allocation[u] = -1;
      cellFinish[k] = start + d;
    }
    if (cell[k] !== before) rowVersion[u]!++;
  };
  /** Best and second best of u's row (ties: earlier finish, then lower pool); drops a pin that cannot be kept. */
  const rescan = (u: number): void => {
    for (;;) {
      let b = -1;
      let c = -1;
      const from = pin[u]! >= 0 ? pin[u]! : 0;
      const to = pin[u]! >= 0 ? pin[u]! + 1 : P;
      for (let p = from; p < to; p++) {
        const k = u * P + p;
        if (cell[k] === Number.POSITIVE_INFINITY) continue;
        if (b < 0 || cell[k]! < cell[u * P + b]! || (cell[k] === cell[u * P + b] && cellFinish[k]! < cellFinish[u * P + b]!)) {
          c = b;
          b = p;
        } else if (c < 0 || cell[k]! < cell[u * P + c]!) c = p;
      }
      if (b < 0 && pin[u]! >= 0) {
        // The pinned pool cannot run it (any more): free choice, every pool's value needed.
        const pinned = pin[u]!;
        pin[u] = -1;
        rowVersion[u]!++;
        for (let p = 0; p < P; p++) if (p !== pinned) computeCell(u, p);
        continue;
      }
      bestPool[u] = b;
      secondPool[u] = c;
      best[u] = b < 0 ? Number.POSITIVE_INFINITY : cell[u * P + b]!;
      second[u] = c < 0 ? Number.POSITIVE_INFINITY : cell[u * P + c]!;
      return;
    }
  };
  const computeRow = (u: number): void => {
    if (pin[u]! >= 0) computeCell(u, pin[u]!);
    else for (let p = 0; p < P; p++) computeCell(u, p);
    rescan(u);
  };
  const becomeReady = (u: number): void => {
    if (byRegion !== undefined) {
      readyTimesByRegion(problem, graph, u, allocation, finishS, byRegion);
      for (let p = 0; p < P; p++) readyAt[u * P + p] = byRegion[problem.pools.regionIndex[p]!]!;
    } else {
      for (let p = 0; p < P; p++) {
        allocation[u] = p; // readyTimeS compares each producer's pool with this one
        readyAt[u * P + p] = readyTimeS(problem, graph, u, p, allocation, finishS);
      }
      allocation[u] = -1;
    }
    const own = options.pinned?.[u] ?? -1;
    pin[u] = own >= 0 && graph.expectedS[u * P + own]! <= LONGEST_S ? own : -1;
    computeRow(u);
    ready.push(u);
  };

  const fixed = options.partial?.fixed;
  const waiting = new Int32Array(n);
  for (let s = 0; s < n; s++) waiting[s] = graph.predStart[s + 1]! - graph.predStart[s]!;
  const release = (s: number, onReady: (u: number) => void): void => {
    for (let e = graph.succStart[s]!; e < graph.succStart[s + 1]!; e++) {
      const u = graph.succIndex[e]!;
      if (--waiting[u]! === 0 && fixed?.has(u) !== true) onReady(u);
    }
  };
  if (fixed !== undefined) {
    for (const [s, placed] of fixed) {
      allocation[s] = placed.pool;
      startS[s] = placed.startS;
      finishS[s] = placed.finishS;
      book.reserve(placed.pool, placed.slot, placed.startS, placed.finishS);
    }
  }
  // Entry sub-tasks (and those whose producers are all fixed) become ready after every fixed placement.
  const initial: number[] = [];
  if (fixed !== undefined) for (const s of fixed.keys()) release(s, (u) => initial.push(u));
  for (let s = 0; s < n; s++) if (graph.predStart[s + 1] === graph.predStart[s] && fixed?.has(s) !== true) initial.push(s);
  initial.sort((a, b) => position[a]! - position[b]!);
  for (const u of initial) becomeReady(u);

  const tieBreak = rule.tieBreak;
  const placedCount = n - (fixed?.size ?? 0);
  for (let step = 0; step < placedCount; step++) {
    if (ready.length === 0) throw new Error('internal: no ready sub-task (the graph has a cycle?)');
    let at = -1;
    let atKey = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < ready.length; i++) {
      const u = ready[i]!;
      if (bestPool[u]! < 0) throw unplaceable(problem, graph, u, allocation, finishS);
      const key = rule.rowKey === undefined ? rule.key(best[u]!, second[u]!, u) : rule.rowKey(u, cell, u * P, pin[u]!, ready.length, rowVersion[u]!);
      if (at < 0) {
        at = i;
        atKey = key;
        continue;
      }
      const v = ready[at]!;
      if (key > atKey || (key === atKey && (tieBreak === undefined || tieBreak[u] === tieBreak[v] ? position[u]! < position[v]! : tieBreak[u]! > tieBreak[v]!))) {
        at = i;
        atKey = key;
      }
    }
    const t = ready[at]!;
    ready[at] = ready[ready.length - 1]!;
    ready.pop();
    // A score override chooses the pool itself (the rule's own choice may mix in its units).
    const chosen = pin[t]! < 0 && rule.choosePool !== undefined && options.score === undefined ? rule.choosePool(t, cell, t * P, ready.length + 1) : -1;
    const p = chosen >= 0 && cell[t * P + chosen]! < Number.POSITIVE_INFINITY ? chosen : bestPool[t]!;
    const d = graph.expectedS[t * P + p]!;
    const start = book.find(p, readyAt[t * P + p]!, d);
    allocation[t] = p;
    startS[t] = start;
    finishS[t] = start + d;
    book.reserve(p, book.foundSlot, start, start + d);
    options.onPlaced?.(t, p, start, start + d);
    if (options.rescoreEachStep === true) {
      for (const u of ready) computeRow(u);
    } else {
      for (const u of ready) {
        if (pin[u]! >= 0 && pin[u] !== p) continue;
        const k = u * P + p;
        const before = cell[k]!;
        const finishBefore = cellFinish[k]!;
        computeCell(u, p);
        // Most placements leave other sub-tasks' values unchanged (another slot is still free).
        if (cell[k] === before && cellFinish[k] === finishBefore) continue;
        if (p === bestPool[u] && cell[k]! < second[u]!) best[u] = cell[k]!; // still the best
        else if (p === bestPool[u] || p === secondPool[u] || cell[k]! < second[u]!) rescan(u);
      }
    }
    release(t, becomeReady);
  }
  return { allocation, startS, finishS };
}
