// `npm run bench -- NAME [args…]` runs scripts/bench/NAME.ts (through tsx). With no NAME, lists them.

import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const [name, ...rest] = process.argv.slice(2);
const available = readdirSync(new URL('./bench/', import.meta.url))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.replace(/\.ts$/, ''));
if (!name || !available.includes(name)) {
  console.log(`usage: npm run bench -- NAME [args]\nbenchmarks: ${available.join(', ') || '(none yet)'}`);
  process.exit(name ? 2 : 0);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', `scripts/bench/${name}.ts`, ...rest], {
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
