/** The sim backend (virtual clock) and what configures it. */
export { createSimBackend, type SimBackend, type SimBackendOptions, type SimFault, type SimPoolOptions, type SimStats } from './sim-backend.js';
export { lognormalDurations, planDurations, recordedDurations, replayDurations, replayStepsS, standardNormal, type SimDurationFn, type SimRandom } from './durations.js';
export { AVAILABILITY_CSV_HEADER, formatAvailabilityCsv, parseAvailabilityCsv, readAvailabilityCsv, type AvailabilityPoint } from './availability-csv.js';
