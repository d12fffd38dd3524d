/**
 * The time budget's clock. Every module that spends a budget takes a `clockMs` parameter and
 * falls back to this one, so tests and simulations can drive planning on a virtual clock.
 */
export type ClockMs = () => number;

/** Milliseconds from a monotonic origin (performance.now). */
export const monotonicMs: ClockMs = () => performance.now();
