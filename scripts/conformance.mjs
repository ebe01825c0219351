// Conformance checks against real-world data in ../shared/data (feed samples, OASIS STIX 2.1 schemas
// and examples). Each capability adds its check to CHECKS; every check runs, failures are summed.
// Usage: node scripts/conformance.mjs DATA_DIR
import { existsSync } from 'node:fs';
import { feedsCheck } from './conformance-feeds.mjs';
import { reputationCheck } from './conformance-reputation.mjs';
import { stixCheck } from './conformance-stix.mjs';

const dataDir = process.argv[2] ?? '../shared/data';
if (!existsSync(dataDir)) {
  console.log(`conformance: ${dataDir} not present, nothing to check`);
  process.exit(0);
}

/** name → async (dataDir) => { passed, failed, notes } */
const CHECKS = [feedsCheck, reputationCheck, stixCheck];

let passed = 0;
let failed = 0;
for (const check of CHECKS) {
  const r = await check.run(dataDir);
  passed += r.passed;
  failed += r.failed;
  for (const n of r.notes ?? []) console.log(`  ${check.name}: ${n}`);
}
console.log(`conformance: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
