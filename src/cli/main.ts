import { Command, CommanderError } from 'commander';
import { isYojinError } from '../errors/index.js';
import { COMMANDS } from './commands/index.js';

export function buildProgram(): Command {
  const program = new Command('yojin')
    .description(
      'yojin (用心) — keep subscribers from malware infection and help the infected get clean.\n' +
        'Reputation list, DNS warnings and RPZ, infected-subscriber notices, STIX/TAXII sharing — within the secrecy of communications.',
    )
    .option('-c, --config <file>', 'config file (TOML); also YOJIN_CONFIG')
    .option('-d, --data-dir <dir>', 'directory of the embedded store (default ./.yojin); also YOJIN_DATA_DIR')
    .option(
      '--database-url <url>',
      'PostgreSQL server URL instead of the embedded store; also YOJIN_DATABASE_URL',
    )
    .option('-v, --verbose', 'log progress to stderr')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of COMMANDS) register(program);
  program.addHelpText(
    'after',
    '\nExamples:\n  yojin serve                       run on the embedded store in ./.yojin\n  yojin token create --role analyst --name alice\n  yojin audit verify\n  YOJIN_DATABASE_URL=postgres://localhost/yojin yojin migrate',
  );
  return program;
}

/** Runs the CLI; resolves to the exit code. Errors are printed as `error [CODE]: message`. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0
        ? 0
        : 2;
    }
    if (isYojinError(err)) {
      process.stderr.write(`error [${err.code}]: ${err.message}\n`);
      return err.code.startsWith('CONFIG_') ? 2 : 1;
    }
    throw err;
  }
}
