/** One line per command: each module exports `register(program, io)`. */
import type { Command } from 'commander';
import type { CliIO } from '../io.js';
import { register as registerFn } from './fn.js';
import { register as registerImport } from './import.js';

export function registerCommands(program: Command, io: CliIO): void {
  registerFn(program, io);
  registerImport(program, io);
}
