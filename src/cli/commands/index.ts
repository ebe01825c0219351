import type { Command } from 'commander';
import { registerFoundation } from './foundation.js';
import { registerServe } from './serve.js';

/** Every command group of the CLI, in `--help` order. Capabilities add their register function here. */
export const COMMANDS: Array<(program: Command) => void> = [registerServe, registerFoundation];
