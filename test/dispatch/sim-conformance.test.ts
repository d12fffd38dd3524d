/**
 * The sim backend passes the shared conformance suite (replay cases only: it executes nothing).
 *
 * Configured as a stand-in for a real backend: durations are the replay steps' (what a real
 * backend would wait), and the loop yields before every move of its virtual clock, so a test
 * that acts after awaiting an event (close() while attempts run) acts at that virtual time.
 */
import { createSimBackend } from '../../src/dispatch/sim/index.js';
import { conformance } from './conformance.js';

conformance('sim', () => createSimBackend({ durations: 'replay', yieldBeforeAdvance: true, seed: 7 }), { executes: false });
