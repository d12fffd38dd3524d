/**
 * Messages between the local backend and its worker threads. Both directions are batched (one
 * message per tick carries every job or result of that tick) and kept flat: at tens of
 * thousands of tiny jobs a second, a message per job would cost more than the jobs.
 */
import type { DispatchJob } from '../backend.js';

/** Run steps [from, to) of `job`; `id` is the backend's number for this attempt. */
export type RunRequest = readonly [id: number, job: DispatchJob, from: number, to: number];

export interface ToThread {
  readonly run?: readonly RunRequest[];
  /** Attempts to stop: their signals fire and they report `ABORTED` at once. */
  readonly abort?: readonly number[];
}

export const RESULT_OK = 0;
export const RESULT_FAILED = 1;
export const RESULT_ABORTED = 2;
export type ResultCode = typeof RESULT_OK | typeof RESULT_FAILED | typeof RESULT_ABORTED;

/**
 * One finished request: OK carries the last step's value as JSON text (or undefined), FAILED
 * the error message; `bytesOut` when the handler created its output directory and it was measured.
 */
export type RunResult = readonly [id: number, code: ResultCode, text: string | undefined, bytesOut: number | undefined];

export interface FromThread {
  readonly results?: readonly RunResult[];
  /** Sent once, when the thread has loaded and listens. */
  readonly ready?: true;
}
