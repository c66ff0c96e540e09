/** The CLI root: builds the commander program, runs it, and maps every error to an exit code. */
import { Command, CommanderError } from 'commander';
import { describeError } from '../errors.js';
import { registerCommands } from './commands/index.js';
import { EXIT_OK, EXIT_USAGE, ExitError, exitCodeFor } from './exit-codes.js';
import type { CliIO } from './io.js';

export const VERSION = '0.1.0';

export function buildProgram(io: CliIO): Command {
  const program = new Command('streamlock')
    .description('OpenShift-style image streams for GitOps: tags resolved to recorded digests, rollouts as commits')
    .version(VERSION)
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });
  registerCommands(program, io);
  for (const cmd of program.commands) cmd.exitOverride().configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  return program;
}

/** Runs the CLI; resolves to the exit code. Commands throw; only this function decides the code. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT_OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT_OK;
      return EXIT_USAGE;
    }
    if (!(e instanceof ExitError) || e.message) io.stderr.write(`streamlock: ${describeError(e)}\n`);
    return exitCodeFor(e);
  }
}
