/**
 * A binary min-heap of sub-task indices ordered by `priority[s]` (the planned start), ties by
 * index: the ready queue of one pool. Typed storage, no per-push allocation (10^5 sub-tasks).
 */
export class PriorityQueue {
  private heap = new Int32Array(16);
  private count = 0;

  constructor(private readonly priority: ArrayLike<number>) {}

  get size(): number {
    return this.count;
  }

  push(s: number): void {
    if (this.count === this.heap.length) {
      const grown = new Int32Array(this.heap.length * 2);
      grown.set(this.heap);
      this.heap = grown;
    }
    let i = this.count++;
    const heap = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(s, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = s;
  }

  pop(): number {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap[--this.count]!;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= this.count) break;
      const right = left + 1;
      const child = right < this.count && this.before(heap[right]!, heap[left]!) ? right : left;
      if (!this.before(heap[child]!, last)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    if (this.count > 0) heap[i] = last;
    return top;
  }

  private before(a: number, b: number): boolean {
    const pa = this.priority[a]!;
    const pb = this.priority[b]!;
    return pa < pb || (pa === pb && a < b);
  }
}
