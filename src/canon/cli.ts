import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { isYojinError } from '../errors/index.js';
import { urlExpressions } from './expressions.js';
import { canonicalUrl } from './url.js';

/**
 * Applies `fn` to the argument, or to each line of stdin when there is none. A bad line is reported on
 * stderr with its number and the rest still goes through; the exit code is 1 if any line failed.
 * No store is opened: canonicalisation is pure.
 */
async function eachInput(arg: string | undefined, fn: (s: string) => string) {
  let failed = 0;
  const out: string[] = [];
  const flush = () => {
    if (out.length) process.stdout.write(`${out.join('\n')}\n`);
    out.length = 0;
  };
  const one = (value: string, where: string) => {
    try {
      out.push(fn(value));
    } catch (err) {
      if (!isYojinError(err)) throw err;
      failed++;
      flush(); // keep stdout and stderr in input order for a reader of both
      process.stderr.write(`error [${err.code}]: ${where}${err.message}\n`);
    }
    if (out.length >= 512) flush();
  };
  if (arg !== undefined) {
    one(arg, '');
  } else {
    let n = 0;
    for await (const line of createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY })) {
      n++;
      if (line.trim() === '') continue; // blank lines carry nothing to canonicalise
      one(line, `line ${n}: `);
    }
  }
  flush();
  if (failed) {
    if (arg === undefined) process.stderr.write(`${failed} line(s) could not be canonicalised\n`);
    process.exitCode = 1;
  }
}

export function registerCanon(program: Command) {
  const canon = program
    .command('canon')
    .description('canonical forms (Safe Browsing URL canonicalisation and expressions); needs no store');
  canon
    .command('url [url]')
    .description('print the canonical URL; without an argument, one per stdin line')
    .action((url: string | undefined) => eachInput(url, canonicalUrl));
  canon
    .command('expressions [url]')
    .description(
      'print the host-suffix/path-prefix expressions, space separated; without an argument, per stdin line',
    )
    .action((url: string | undefined) => eachInput(url, (u) => urlExpressions(u).join(' ')));
}
