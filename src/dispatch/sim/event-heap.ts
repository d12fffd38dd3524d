/**
 * The sim backend's future: a binary min-heap of events keyed by (timeS, seq).
 *
 * `seq` is the insertion count, so events at the same virtual time come out in the order they
 * were scheduled (SimPy's tie-break): a run is a pure function of its inputs and seed, whatever
 * the heap's internal layout. An event is plain numbers (a kind and one integer reference) in
 * parallel typed arrays, so pushing and popping allocate nothing; sifting moves a "hole" rather
 * than swapping, one write per level per array.
 */

const INITIAL_CAPACITY = 1024;

export class EventHeap {
  private times = new Float64Array(INITIAL_CAPACITY);
  private seqs = new Float64Array(INITIAL_CAPACITY);
  private kinds = new Uint8Array(INITIAL_CAPACITY);
  private refs = new Int32Array(INITIAL_CAPACITY);
  private count = 0;
  private nextSeq = 0;

  get size(): number {
    return this.count;
  }

  /** The earliest event's fields; only meaningful while `size > 0`. */
  topTimeS(): number {
    return this.times[0]!;
  }

  topKind(): number {
    return this.kinds[0]!;
  }

  topRef(): number {
    return this.refs[0]!;
  }

  push(timeS: number, kind: number, ref: number): void {
    if (this.count === this.times.length) this.grow();
    const seq = this.nextSeq++;
    const times = this.times;
    const seqs = this.seqs;
    const kinds = this.kinds;
    const refs = this.refs;
    let hole = this.count++;
    while (hole > 0) {
      const parent = (hole - 1) >> 1;
      const parentTime = times[parent]!;
      // The new event has the largest seq so far: it goes above its parent only when strictly earlier.
      if (parentTime <= timeS) break;
      times[hole] = parentTime;
      seqs[hole] = seqs[parent]!;
      kinds[hole] = kinds[parent]!;
      refs[hole] = refs[parent]!;
      hole = parent;
    }
    times[hole] = timeS;
    seqs[hole] = seq;
    kinds[hole] = kind;
    refs[hole] = ref;
  }

  /** Removes the earliest event (read it with top*() first). */
  pop(): void {
    const last = --this.count;
    if (last <= 0) return;
    const times = this.times;
    const seqs = this.seqs;
    const kinds = this.kinds;
    const refs = this.refs;
    const timeS = times[last]!;
    const seq = seqs[last]!;
    const kind = kinds[last]!;
    const ref = refs[last]!;
    let hole = 0;
    for (;;) {
      let child = 2 * hole + 1;
      if (child >= last) break;
      const right = child + 1;
      if (right < last) {
        const ct = times[child]!;
        const rt = times[right]!;
        if (rt < ct || (rt === ct && seqs[right]! < seqs[child]!)) child = right;
      }
      const childTime = times[child]!;
      if (childTime > timeS || (childTime === timeS && seqs[child]! > seq)) break;
      times[hole] = childTime;
      seqs[hole] = seqs[child]!;
      kinds[hole] = kinds[child]!;
      refs[hole] = refs[child]!;
      hole = child;
    }
    times[hole] = timeS;
    seqs[hole] = seq;
    kinds[hole] = kind;
    refs[hole] = ref;
  }

  clear(): void {
    this.count = 0;
  }

  private grow(): void {
    const capacity = this.times.length * 2;
    const times = new Float64Array(capacity);
    const seqs = new Float64Array(capacity);
    const kinds = new Uint8Array(capacity);
    const refs = new Int32Array(capacity);
    times.set(this.times);
    seqs.set(this.seqs);
    kinds.set(this.kinds);
    refs.set(this.refs);
    this.times = times;
    this.seqs = seqs;
    this.kinds = kinds;
    this.refs = refs;
  }
}
