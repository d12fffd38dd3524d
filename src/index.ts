/**
 * apportion's public API. An explicit list: what is not exported here is internal.
 */

// Inputs
export type { TaskDefinition, Stage, AtomicStage, DivisibleStage, DataObject, ResourceMap, Pool, Link, CapacityStep } from './model/types.js';
export { validateTaskDefinition } from './model/validate-task.js';
export { validateResourceMap } from './model/validate-pools.js';
export { importWfFormat, isWfFormat } from './model/wfformat.js';
export { parseDocument } from './model/parse.js';
export { InputError, formatIssues, formatPath } from './model/issues.js';
export type { InputIssue, IssueCode, PathSegment } from './model/issues.js';
export { loadTaskDefinition, loadResourceMap, parseTaskDefinition } from './load/files.js';

// Problem and graphs
export { assembleProblem } from './model/problem.js';
export type { Problem, ProblemOptions, Provisional } from './model/problem.js';
export { declaredAvailability, checkAvailability } from './model/availability.js';
export type { Availability, AvailabilityTable, PoolAvailability } from './model/availability.js';
export { buildCsr, buildDag, findCycle, topologicalOrder } from './model/graph.js';
export type { Csr, Dag } from './model/graph.js';
export { buildSubtaskGraph, PartitionBuilder, expectedWithRework } from './model/subtasks.js';
export type { Partition, SubtaskGraph } from './model/subtasks.js';

// Cost model
export { simulate, orderByStart, readyTimeS } from './cost/simulate.js';
export type { Schedule, PartialSchedule } from './cost/simulate.js';
export { computeTerms, constraintViolations } from './cost/terms.js';
export type { Terms, Violation } from './cost/terms.js';
export { evaluateCandidate, isBetter } from './cost/evaluate.js';
export type { ScoredCandidate } from './cost/evaluate.js';
export { objectiveValue, DEFAULT_USD_PER_HOUR } from './model/objective.js';
export type { Objective, ObjectiveKind } from './model/objective.js';
export { makespanLowerBoundS, costLowerBoundUsd, checkAttainable } from './cost/bounds.js';

// Planners and plans
export { PLANNER_IDS } from './planners/planner.js';
export type { Planner, PlannerId, PlannerOptions, ExtendFrom, ProgressListener } from './planners/planner.js';
export type { Candidate } from './cost/candidate.js';
export { PLANNERS } from './planners/registry.js';
export { PLAN_VERSION } from './plan/plan.js';
export type { Plan, PlanSubtask, PlanPoolUsage } from './plan/plan.js';
export { checkPlanValidity } from './plan/check.js';
export { explainChoices } from './plan/explain.js';
export type { StageChoice } from './plan/explain.js';

// Rendering
export { renderText } from './render/text.js';
export { renderExplain } from './render/explain.js';
export { renderGanttSvg } from './render/svg.js';

// Embedding: the anytime engine, in-process or in a worker thread
// The one planning entry point: createPlanner().plan() (no budget = the constructive plan);
// planConstructive is the same constructive plan, synchronously, without a session.
export { createPlanner, resolvePlannerOptions, planConstructive } from './plan/planner.js';
export type { ApportionPlanner, CreatePlannerOptions, ResolvedPlannerOptions, PlanOutcome } from './plan/planner.js';
export type { PlanRequest, EngineOutcome } from './engine/engine.js';
export { extendPlan, partialSchedule } from './plan/extend.js';
export type { RunState, SubtaskAttempt } from './plan/extend.js';
export { backupPools, BACKUP_POOLS } from './plan/backups.js';
export { createPlannerWorker } from './plan/worker.js';
export type { PlannerWorker, PlanInputs, WorkerPlanRequest, WorkerPlanResult } from './plan/worker.js';
export type { SearchProgress } from './search/improve.js';
export type { BatchScorer } from './search/scorer.js';
export type { LowerBound } from './cost/bounds.js';

// Large graphs: seeded synthetic workloads built without a JSON round trip
export { layeredDag, syntheticPools } from './synthetic/layered.js';
export type { LayeredOptions, PoolMapOptions } from './synthetic/layered.js';

// History and the task profiler: learned estimates with calibrated quantiles
export type { RunRecord, Outcome } from './history/record.js';
export { OUTCOMES } from './history/record.js';
export { openHistory, defaultHistoryPath } from './history/store.js';
export type { HistoryStore, OpenHistoryOptions } from './history/store.js';
export { wfformatRecords } from './history/wfformat-records.js';
export { fitProfile } from './profile/fit.js';
export type { FitOptions } from './profile/fit.js';
export { predict, chunkLaw, opSummaries } from './profile/predict.js';
export type { ChunkLaw, OpSummary } from './profile/predict.js';
export type { Profile, Metric, ScalingLaw, SizeBy, ProfileQuery, Prediction, EstimateSource } from './profile/types.js';
export { readProfile } from './profile/read.js';
export { renderProfile } from './render/profile.js';
export { evaluateProfile, baselines, evaluatePoint } from './profile/evaluate.js';
export type { Evaluation, Baselines } from './profile/evaluate.js';
export { applyProfile } from './profile/apply.js';
export type { AppliedProfile } from './profile/apply.js';

// Reservations: plan ahead of a complete definition
export { reservationFromPlan, withinReservation, keepPlacement, countMoves, readReservation } from './plan/reservation.js';
export type { Reservation, Placement, Moves } from './plan/reservation.js';
export { renderReservation } from './render/reservation.js';

// Running a plan: the sub-task scheduler and its backends
export { dispatch, startDispatch, DEFAULT_RETRIES, DEFAULT_REPLAN } from './dispatch/dispatcher.js';
export type { DispatchOptions, DispatchForecast, Dispatch, RunReport, RunSnapshot, PoolSnapshot, SubtaskOutcome, AttemptView, ReplanSettings } from './dispatch/dispatcher.js';
export { createOnlineForecast } from './dispatch/online.js';
export type { OnlineForecast, OnlineForecastOptions, OnlineForecastSummary, OnlinePoolSummary, OnlineDeparture } from './dispatch/online.js';
export { startRun, resumeRun, newRunId, inputsHash } from './dispatch/run.js';
export type { RunSettings, StartRunRequest, StartedRun } from './dispatch/run.js';
export { jobKey, MAX_INLINE_VALUE_BYTES } from './dispatch/backend.js';
export type { Backend, BackendEvent, BackendListener, BackendPool, DispatchJob, JobStep, StepRun, JobInput, AttemptResult, AttemptOutcome, Handler, HandlerContext } from './dispatch/backend.js';
export { createBackend, BACKEND_NAMES } from './dispatch/backends.js';
export type { BackendName } from './dispatch/backends.js';
export { createLocalBackend } from './dispatch/local/local-backend.js';
export { createSimBackend, lognormalDurations, recordedDurations, parseAvailabilityCsv, readAvailabilityCsv } from './dispatch/sim/index.js';
export type { SimBackend, SimBackendOptions } from './dispatch/sim/index.js';
export { rankPools } from './dispatch/rank.js';
export { openRunJournal } from './history/journal.js';
export type { RunJournal, CommitRow, DecisionRow, RunSummaryRow } from './history/journal.js';
export { renderRunGanttSvg } from './render/run-gantt.js';
export { renderRunReport, renderRunsList } from './render/run-text.js';

// The resource predictor: telemetry → an availability map the planner prices
export type { Series, QuantileForecast, SeriesFit, HazardFit, BacktestRow, ForecastWarning } from './forecast/types.js';
export { parseTelemetryText, mergePoolTelemetry } from './forecast/telemetry/index.js';
export type { PoolTelemetry, ParsedTelemetry } from './forecast/telemetry/index.js';
export type { TelemetryEntry, TelemetryMetric, TelemetryFormat } from './model/telemetry-section.js';
export { fitSeries, forecastSeries, DEFAULT_MODEL, MODELS } from './forecast/fit.js';
export { backtest, parseHorizon, formatHorizon } from './forecast/backtest.js';
export { fitHazardFromEvents, fitHazardFromAvailability, hazardPerSAt, hazardProfilePerS } from './forecast/hazard.js';
export { buildAvailabilityMap, readAvailabilityMap, MAP_VERSION } from './forecast/map.js';
export type { AvailabilityMap, PoolForecast, PoolPrediction } from './forecast/map.js';
export { priceMap, DEFAULT_CAPACITY_RISK } from './forecast/priced.js';
export type { Priced, PricingOptions, FreeBand } from './forecast/priced.js';
export { predictAvailability } from './forecast/predict.js';
export type { PredictOptions, PoolTelemetryInput } from './forecast/predict.js';
export { loadTelemetry, loadTelemetryFile, gatherTelemetry, telemetryFromHistory } from './load/telemetry.js';
export { renderForecastSvg, renderMapSvg } from './render/forecast-svg.js';
export { explainForecast } from './plan/forecast-explain.js';

// Policies side by side: `apportion evaluate`
export { evaluate } from './evaluate/evaluate.js';
export type { EvaluateRequest, EvaluationWorkload } from './evaluate/evaluate.js';
export type { Policy, CaseContext, PreparedRun, ReactionRules, HistoryPoint } from './evaluate/policy.js';
export { POLICIES, POLICY_IDS, policyById } from './evaluate/policies.js';
export { generateTrace } from './evaluate/traces.js';
export type { AvailabilityTrace, EvaluationCase, CaseResult, PolicySummary, EvaluationResult } from './evaluate/types.js';
export type { RecoveryRule, ReplicaRule, PoolChoice, ProgressView, PoolUsage } from './dispatch/recovery.js';
export { renderEvaluationText, renderEvaluationHtml } from './render/evaluation.js';
