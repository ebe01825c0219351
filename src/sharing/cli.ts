import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { appendAudit } from '../audit/index.js';
import { output, withContext } from '../cli/context.js';
import { addPartner, listPartners, pullPartner, pushPartner } from './client/sync.js';
import { openHub } from './hub.js';
import {
  addCollection,
  addMember,
  exportCollection,
  featuresFromInput,
  findSimilar,
  syncAll,
} from './operations.js';
import { listCollections } from './orgs.js';
import { publishIndicators } from './publish.js';

const list = (v: string, prev: string[] = []) => [
  ...prev,
  ...v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];

export function registerShare(program: Command) {
  const share = program
    .command('share')
    .description('STIX 2.1 / TAXII 2.1 sharing: members, collections, partners, export, similar cases');

  share
    .command('collection-add <alias>')
    .description('create (or update) a TAXII collection')
    .option('--title <title>', 'title shown to members')
    .option('--max-tlp <tlp>', 'highest TLP it may carry: clear, green, amber, amber+strict', 'green')
    .option('--indicators', "publish yojin's own active indicators into it")
    .option('--json', 'machine-readable output')
    .action(
      async (alias: string, o: { title?: string; maxTlp: string; indicators?: boolean }, cmd: Command) => {
        await withContext(cmd, async (ctx) => {
          const c = await addCollection(ctx.store, {
            alias,
            title: o.title,
            max_tlp: o.maxTlp as 'green',
            content: o.indicators ? 'indicators' : 'exchange',
          });
          output(
            cmd,
            c,
            () => `collection ${c.alias} (${c.id}) max TLP:${c.max_tlp.toUpperCase()} ${c.content}`,
          );
        });
      },
    );

  share
    .command('collections')
    .description('list collections')
    .option('--json', 'machine-readable output')
    .action(async (_o, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const cs = await listCollections(ctx.store);
        output(
          cmd,
          cs,
          () =>
            cs.map((c) => `${c.alias}\t${c.id}\tTLP:${c.max_tlp.toUpperCase()}\t${c.content}`).join('\n') ||
            '(none)',
        );
      });
    });

  const org = share.command('org').description('member organisations');
  org
    .command('add <name>')
    .description('add a member organisation and print its credentials (shown once)')
    .option('--read <collections>', 'collections it may read (comma-separated, repeatable)', list)
    .option('--write <collections>', 'collections it may write (comma-separated, repeatable)', list)
    .option('--json', 'machine-readable output')
    .action(async (name: string, o: { read?: string[]; write?: string[] }, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const hub = await openHub(ctx);
        const m = await addMember(hub, name, o.read, o.write);
        await appendAudit(
          ctx.store,
          { actor: 'cli', action: 'sharing.org.add', outcome: 'done', subject: `org:${name}` },
          ctx.clock,
        );
        const out = { name, username: m.username, secret: m.secret, bearer: `${m.username}.${m.secret}` };
        output(cmd, out, () =>
          [
            `organisation: ${name}`,
            `username:     ${m.username}`,
            `password:     ${m.secret}`,
            `bearer token: ${out.bearer}`,
            '(shown once; TAXII accepts HTTP Basic or Bearer)',
          ].join('\n'),
        );
      });
    });

  share
    .command('partner-add <name>')
    .description('poll (and/or push to) a partner TAXII collection')
    .requiredOption('--api-root <url>', "the partner's API root URL")
    .requiredOption('--collection <id>', "the partner's collection id")
    .option('--direction <dir>', 'pull, push or both', 'pull')
    .option('--username <u>', 'HTTP Basic user')
    .option('--password <p>', 'HTTP Basic password')
    .option('--reliability <r>', "reliability of the partner's indicators (0..1)", '0.5')
    .option('--local <collection>', 'local collection to keep pulled objects in / push from')
    .action(async (name: string, o: Record<string, string>, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        await addPartner(await openHub(ctx), {
          name,
          api_root: o.apiRoot,
          collection_id: o.collection,
          direction: o.direction as 'pull',
          username: o.username ?? null,
          password: o.password ?? null,
          reliability: Number(o.reliability),
          local_collection: o.local ?? null,
        });
        process.stdout.write(`partner ${name} saved\n`);
      });
    });

  share
    .command('pull [partner]')
    .description('poll partners now (all, or one) from their bookmarks')
    .option('--json', 'machine-readable output')
    .action(async (name: string | undefined, _o, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const hub = await openHub(ctx);
        const ps = (await listPartners(hub)).filter((p) => (name ? p.name === name : p.direction !== 'push'));
        const results: Array<Awaited<ReturnType<typeof pullPartner>>> = [];
        for (const p of ps) results.push(await pullPartner(hub, p));
        output(
          cmd,
          results,
          () =>
            results
              .map((r) => `${r.partner}: ${r.objects} objects, ${r.imported} indicators imported`)
              .join('\n') || '(no partners)',
        );
      });
    });

  share
    .command('push [partner]')
    .description('publish our indicators and push them to partners that accept writes')
    .option('--json', 'machine-readable output')
    .action(async (name: string | undefined, _o, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const hub = await openHub(ctx);
        await publishIndicators(hub);
        const ps = (await listPartners(hub)).filter((p) => (name ? p.name === name : p.direction !== 'pull'));
        const results: Array<Awaited<ReturnType<typeof pushPartner>>> = [];
        for (const p of ps) results.push(await pushPartner(hub, p));
        output(
          cmd,
          results,
          () =>
            results.map((r) => `${r.partner}: ${r.pushed} pushed, ${r.failed} refused`).join('\n') ||
            '(no partners)',
        );
      });
    });

  share
    .command('sync')
    .description('one full cycle: publish, pull, push')
    .option('--json', 'machine-readable output')
    .action(async (_o, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const r = await syncAll(await openHub(ctx));
        output(cmd, r, () => JSON.stringify(r, null, 2));
      });
    });

  share
    .command('export')
    .description('write the STIX 2.1 bundle a collection would serve')
    .requiredOption('--collection <c>', 'collection alias or id')
    .requiredOption('--out <file>', 'output file (- for stdout)')
    .action(async (o: { collection: string; out: string }, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const hub = await openHub(ctx);
        await publishIndicators(hub);
        const b = await exportCollection(hub, o.collection);
        const text = `${JSON.stringify(b, null, 2)}\n`;
        if (o.out === '-') process.stdout.write(text);
        else {
          writeFileSync(o.out, text);
          process.stderr.write(`wrote ${b.objects.length} objects to ${o.out}\n`);
        }
      });
    });

  share
    .command('similar <file>')
    .description(
      'shared reports most similar to a case: a STIX bundle, or lines of indicators and "family: NAME"',
    )
    .option('-k <n>', 'how many', '10')
    .option('--json', 'machine-readable output')
    .action(async (file: string, o: { k: string }, cmd: Command) => {
      const text = readFileSync(file === '-' ? 0 : file, 'utf8');
      await withContext(cmd, async (ctx) => {
        const hits = await findSimilar(ctx.store, featuresFromInput(text), Number(o.k));
        output(
          cmd,
          hits,
          () =>
            hits
              .map(
                (h) =>
                  `${h.score.toFixed(3)}  ${h.report_id}  ${h.name ?? ''}\n       shares ${[...h.shared_families.map((f) => `family ${f}`), ...h.shared_indicators].join(', ')}`,
              )
              .join('\n') || '(no similar reports)',
        );
      });
    });
}
