// The feed samples in DATA_DIR/feeds/ and the parser format of each: one table for every conformance
// check that reads them (the parsers' and the reputation list's).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Sample file name → parser format. A file not listed here fails the checks (add its format). */
const FORMAT_BY_FILE = {
  'urlhaus-online.csv': 'urlhaus-csv',
  'feodo-ipblocklist.csv': 'feodo-csv',
  'feodo-ipblocklist-recommended.txt': 'feodo-txt',
  'openphish-feed.txt': 'openphish-txt',
  'phishtank-online-valid.csv': 'phishtank-csv',
  'spamhaus-drop.txt': 'spamhaus-drop',
  'spamhaus-drop_v4.json': 'spamhaus-drop-json',
  'urlhaus-filter-rpz-online.conf': 'rpz',
};
const NOT_FEEDS = new Set(['SOURCES.md']);

/**
 * Each sample, in name order, as { name, path, format }; a file whose format is unknown comes as
 * { name, problem } so that the check counts it as a failure rather than skipping it.
 */
export function feedSamples(dataDir) {
  const dir = join(dataDir, 'feeds');
  return readdirSync(dir)
    .sort()
    .filter((name) => !NOT_FEEDS.has(name))
    .map((name) =>
      FORMAT_BY_FILE[name]
        ? { name, path: join(dir, name), format: FORMAT_BY_FILE[name] }
        : {
            name,
            problem: `FAIL ${name}: no format known for this file; add it to FORMAT_BY_FILE in ${import.meta.filename}`,
          },
    );
}
