// A policy of your own for `apportion evaluate --policy-module examples/evaluate/my-policy.mjs`
// (after `npm run build`): it sees the job, the resource map and the availability trace before
// the start (ctx.history), and returns a plan and how the dispatcher reacts. The Policy type is
// documented in src/evaluate/policy.ts.
import { assembleProblem, planConstructive } from 'apportion';

export const policy = {
  id: 'cheapest-retry',
  description: 'everything on the cheapest pool that may run it (SkyPilot-like placement), retried in place',
  prepare(ctx) {
    const problem = assembleProblem(ctx.definition, ctx.resources);
    const { plan, scored } = planConstructive(problem, { planner: 'cheapest' });
    return { problem, plan, scored, recovery: { kind: 'retry-in-place' }, replan: false };
  },
};
