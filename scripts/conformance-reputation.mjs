// Conformance check for the reputation list (src/reputation): every feed sample in DATA_DIR/feeds/
// imports with its format into a fresh embedded store with no unexplained reject (guards must say
// why they refuse), and `check` finds an entry from each file, given as the feed wrote it.
// Runs after the build: imports dist/.
import { feedSamples } from './conformance-feed-samples.mjs';

/** Rejects by the reputation guards that are expected, each with why. */
const EXPLAINED = [
  {
    file: 'feodo-ipblocklist-recommended.txt',
    reason: /^8\.8\.8\.8 is a protected address/,
    why: 'the mirror edited in 8.8.8.8 (SOURCES.md); a public resolver is never listed',
  },
  {
    reason: /is on the top-sites list .*never listed from a feed/,
    why: 'a domain feed names a popular domain; it is never listed whole (its URLs would be)',
  },
];

export const reputationCheck = {
  name: 'reputation',
  async run(dataDir) {
    const { PGliteStore } = await import('../dist/store/index.js');
    const { createContext } = await import('../dist/app/index.js');
    const { validateConfig } = await import('../dist/config/index.js');
    const { getParser, readLines } = await import('../dist/pipeline/index.js');
    const { importFeed, check } = await import('../dist/reputation/index.js');
    const config = validateConfig({ log: { level: 'silent', format: 'json' } });
    const store = await PGliteStore.open();
    const ctx = await createContext(config, { store });
    let passed = 0;
    let failed = 0;
    const notes = [];
    try {
      for (const { name, path, format, problem } of feedSamples(dataDir)) {
        if (problem) {
          failed++;
          notes.push(problem);
          continue;
        }
        const s = await importFeed(ctx, {
          source: name,
          format,
          items: getParser(format).parse(readLines(path)),
        });
        const bad = [];
        const ok = [];
        for (const r of s.rejected) {
          const x = EXPLAINED.find(
            (e) => (e.file === undefined || e.file === name) && e.reason.test(r.reason),
          );
          (x ? ok : bad).push(`${name}:${r.line} ${r.reason}${x ? ` (explained: ${x.why})` : ''}`);
        }
        if (s.rejectedCount > s.rejected.length)
          bad.push(`${name}: ${s.rejectedCount - s.rejected.length} more rejects not shown`);
        // check finds an entry of this file, given as the feed wrote it
        const sample = await store.query(
          `SELECT o.raw ->> 'as_listed' AS v FROM observations o JOIN sources s ON s.id = o.source_id
            WHERE s.name = $1 AND NOT (o.raw ? 'derived_from') ORDER BY o.id LIMIT 1`,
          [name],
        );
        const probe = sample.rows[0]?.v;
        const verdict = probe ? await check(ctx, probe) : undefined;
        const found = verdict?.listed === true;
        if (bad.length === 0 && found && s.new > 0) passed++;
        else failed++;
        notes.push(
          `${name} [${format}]: read ${s.read}, new ${s.new}, updated ${s.updated}, unchanged ${s.unchanged}, rejected ${s.rejectedCount} (${ok.length} explained), ${Math.round(s.durationMs)} ms; check ${probe ?? '(nothing)'} → ${found ? 'listed' : 'NOT FOUND'}`,
        );
        for (const b of bad) notes.push(`  UNEXPLAINED ${b}`);
        for (const o of ok) notes.push(`  ${o}`);
      }
    } finally {
      await store.close();
    }
    return { passed, failed, notes };
  },
};
