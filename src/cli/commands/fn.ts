/** `streamlock fn`: the KRM function (ResourceList on stdin, ResourceList on stdout). */
import type { Command } from 'commander';
import { runFunction } from '../../fn/run.js';
import { ExitError } from '../exit-codes.js';
import type { CliIO } from '../io.js';

export function register(program: Command, io: CliIO): void {
  program
    .command('fn')
    .description('run as a KRM function: resolve image.openshift.io/triggers in a ResourceList read from stdin')
    .action(async () => {
      const code = await runFunction(io);
      if (code !== 0) throw new ExitError(code);
    });
}
