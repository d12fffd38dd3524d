// Handlers for examples/run/squares.json: `apportion run` calls each with the sub-task (its
// item range, inputs) and a context (abort signal, inputs, output directory, progress).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A chunk [start, end) of the items: the sum of their squares, returned inline (small JSON). */
export function sumOfSquares(job, context) {
  const [start, end] = job.items;
  let sum = 0n;
  for (let i = start; i < end; i++) {
    sum += BigInt(i) * BigInt(i);
    if ((i & 0xffff) === 0 && context.signal.aborted) throw new Error('cancelled');
  }
  return { start, end, sum: sum.toString() };
}

/** Adds the chunks' sums; writes total.txt (a file output, committed with the sub-task). */
export function total(job, context) {
  let sum = 0n;
  for (const input of context.inputs) sum += BigInt(input.value.sum);
  writeFileSync(join(context.outputDir, 'total.txt'), `${sum}\n`);
  return { chunks: context.inputs.length, sum: sum.toString() };
}
