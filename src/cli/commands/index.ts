/** One line per command: each module exports `register(program, io)`. */
import type { Command } from 'commander';
import type { CliIO } from '../io.js';
import { register as registerFn } from './fn.js';

export function registerCommands(program: Command, io: CliIO): void {
  registerFn(program, io);
}
