/**
 * Compressed sparse row (CSR) DAGs with dense integer ids.
 *
 * Layout (both directions are kept, since list scheduling walks predecessors and rank
 * computation walks successors):
 *
 *   predStart[v] .. predStart[v+1]   →  predIndex[e], predBytes[e]   (edges u → v)
 *   succStart[u] .. succStart[u+1]   →  succIndex[e], succBytes[e]   (edges u → v)
 *
 * `order` is a topological order and `level[v]` the length of the longest path from a source.
 * Built in O(V + E) with counting passes; no per-node objects.
 */

export interface Csr {
  readonly nodeCount: number;
  readonly edgeCount: number;
  readonly predStart: Int32Array;
  readonly predIndex: Int32Array;
  readonly predBytes: Float64Array;
  readonly succStart: Int32Array;
  readonly succIndex: Int32Array;
  readonly succBytes: Float64Array;
}

export interface Dag extends Csr {
  /** Nodes in topological order (Kahn's algorithm, ties by smaller id). */
  readonly order: Int32Array;
  /** Longest-path depth from any source (sources are level 0). */
  readonly level: Int32Array;
  readonly levelCount: number;
}

/** Builds both CSR directions from an edge list (from[e] → to[e] carrying bytes[e]). */
export function buildCsr(nodeCount: number, from: ArrayLike<number>, to: ArrayLike<number>, bytes: ArrayLike<number>): Csr {
  const edgeCount = from.length;
  const predStart = new Int32Array(nodeCount + 1);
  const succStart = new Int32Array(nodeCount + 1);
  for (let e = 0; e < edgeCount; e++) {
    predStart[to[e]! + 1]!++;
    succStart[from[e]! + 1]!++;
  }
  for (let v = 0; v < nodeCount; v++) {
    predStart[v + 1]! += predStart[v]!;
    succStart[v + 1]! += succStart[v]!;
  }
  const predIndex = new Int32Array(edgeCount);
  const predBytes = new Float64Array(edgeCount);
  const succIndex = new Int32Array(edgeCount);
  const succBytes = new Float64Array(edgeCount);
  const predFill = predStart.slice(0, nodeCount);
  const succFill = succStart.slice(0, nodeCount);
  for (let e = 0; e < edgeCount; e++) {
    const u = from[e]!;
    const v = to[e]!;
    const p = predFill[v]!++;
    predIndex[p] = u;
    predBytes[p] = bytes[e]!;
    const s = succFill[u]!++;
    succIndex[s] = v;
    succBytes[s] = bytes[e]!;
  }
  return { nodeCount, edgeCount, predStart, predIndex, predBytes, succStart, succIndex, succBytes };
}

/**
 * Topological order and levels. Returns `undefined` when the graph has a cycle; use
 * `findCycle` to name it.
 */
export function topologicalOrder(csr: Csr): { order: Int32Array; level: Int32Array; levelCount: number } | undefined {
  const n = csr.nodeCount;
  const indegree = new Int32Array(n);
  for (let v = 0; v < n; v++) indegree[v] = csr.predStart[v + 1]! - csr.predStart[v]!;
  // A FIFO over node ids keeps the order deterministic and close to input order.
  const order = new Int32Array(n);
  const level = new Int32Array(n);
  let head = 0;
  let tail = 0;
  for (let v = 0; v < n; v++) if (indegree[v] === 0) order[tail++] = v;
  let levelCount = n === 0 ? 0 : 1;
  while (head < tail) {
    const u = order[head++]!;
    const nextLevel = level[u]! + 1;
    for (let e = csr.succStart[u]!; e < csr.succStart[u + 1]!; e++) {
      const v = csr.succIndex[e]!;
      if (level[v]! < nextLevel) level[v] = nextLevel;
      if (--indegree[v]! === 0) {
        order[tail++] = v;
        if (nextLevel + 1 > levelCount) levelCount = nextLevel + 1;
      }
    }
  }
  return tail === n ? { order, level, levelCount } : undefined;
}

export function buildDag(nodeCount: number, from: ArrayLike<number>, to: ArrayLike<number>, bytes: ArrayLike<number>): Dag | undefined {
  const csr = buildCsr(nodeCount, from, to, bytes);
  const topo = topologicalOrder(csr);
  return topo === undefined ? undefined : { ...csr, ...topo };
}

/**
 * One cycle of the graph as a list of nodes [a, b, ..., a], or undefined if acyclic.
 * Iterative DFS with colours, so deep graphs do not overflow the stack.
 */
export function findCycle(csr: Csr): number[] | undefined {
  const n = csr.nodeCount;
  const colour = new Uint8Array(n); // 0 new, 1 on stack, 2 done
  const parent = new Int32Array(n).fill(-1);
  const cursor = new Int32Array(n);
  const stack: number[] = [];
  for (let root = 0; root < n; root++) {
    if (colour[root] !== 0) continue;
    stack.push(root);
    colour[root] = 1;
    cursor[root] = csr.succStart[root]!;
    while (stack.length > 0) {
      const u = stack[stack.length - 1]!;
      if (cursor[u]! < csr.succStart[u + 1]!) {
        const v = csr.succIndex[cursor[u]!++]!;
        if (colour[v] === 0) {
          colour[v] = 1;
          parent[v] = u;
          cursor[v] = csr.succStart[v]!;
          stack.push(v);
        } else if (colour[v] === 1) {
          const cycle = [v];
          for (let w = u; w !== v; w = parent[w]!) cycle.push(w);
          cycle.push(v);
          return cycle.reverse();
        }
      } else {
        colour[u] = 2;
        stack.pop();
      }
    }
  }
  return undefined;
}

/** A random topological order: Kahn's algorithm picking uniformly among the ready nodes. */
export function randomTopologicalOrder(csr: Csr, random: () => number): Int32Array {
  const n = csr.nodeCount;
  const waiting = new Int32Array(n);
  const ready: number[] = [];
  for (let v = 0; v < n; v++) {
    waiting[v] = csr.predStart[v + 1]! - csr.predStart[v]!;
    if (waiting[v] === 0) ready.push(v);
  }
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = Math.floor(random() * ready.length);
    const v = ready[k]!;
    ready[k] = ready[ready.length - 1]!;
    ready.pop();
    order[i] = v;
    for (let e = csr.succStart[v]!; e < csr.succStart[v + 1]!; e++) {
      const w = csr.succIndex[e]!;
      waiting[w] = waiting[w]! - 1;
      if (waiting[w] === 0) ready.push(w);
    }
  }
  return order;
}
