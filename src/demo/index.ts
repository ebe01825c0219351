/**
 * The living demo and exercise scenarios (issue 8): a seeded synthetic ISP written in native formats
 * (generate), replayed through the real pipelines and DNS resolver (runScenario), and the exercise
 * review against the ground truth. See docs/demo.md.
 */
export { registerDemo } from './cli.js';
export { type QueryResult, queryFrom, startUpstream } from './dns.js';
export { startEnvironment } from './environment.js';
export { type Expect, type GenerateOptions, type GroundTruth, generate, type Manifest } from './generate.js';
export { startMailbox } from './mailbox.js';
export { loopbackOf, makePlan, subscriberEmail, subscriberId, v4Of, v6PrefixOf } from './plan.js';
export { type Review, readGroundTruth, reviewExercise, reviewText } from './review.js';
export { type RunOptions, type RunResult, runScenario } from './run.js';
export { loadScenario, parseScenario, type Scenario, ScenarioSchema } from './scenario.js';
