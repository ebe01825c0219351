import type { Command } from 'commander';
import { registerAttribution } from '../../attribution/cli.js';
import { registerCanon } from '../../canon/cli.js';
import { registerCases } from '../../cases/cli.js';
import { registerDemo } from '../../demo/cli.js';
import { registerDns } from '../../dns/cli.js';
import { registerLookup } from '../../lookup/cli.js';
import { registerFeeds } from '../../pipeline/cli.js';
import { registerReports } from '../../reports/cli.js';
import { registerReputation } from '../../reputation/cli.js';
import { registerRpz } from '../../rpz/cli.js';
import { registerShare } from '../../sharing/cli.js';
import { registerSubscribers } from '../../subscribers/cli.js';
import { registerWarning } from '../../warning/cli.js';
import { registerFoundation } from './foundation.js';
import { registerServe } from './serve.js';

/** Every command group of the CLI, in `--help` order. Capabilities add their register function here. */
export const COMMANDS: Array<(program: Command) => void> = [
  registerServe,
  registerFoundation,
  registerCanon,
  registerReputation,
  registerFeeds,
  registerDns,
  registerRpz,
  registerWarning,
  registerShare,
  registerSubscribers,
  registerAttribution,
  registerCases,
  registerLookup,
  registerReports,
  registerDemo,
];
