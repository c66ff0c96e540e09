/** One line per command: each module exports `register(program, io)`. */
import type { Command } from 'commander';
import type { CliIO } from '../io.js';
import { register as registerFn } from './fn.js';
import { register as registerImport } from './import.js';
import { register as registerHistory } from './history.js';
import { register as registerRollback } from './rollback.js';
import { register as registerTag } from './tag.js';
import { register as registerSetTriggers } from './set-triggers.js';
import { register as registerCheck } from './check.js';
import { register as registerRender } from './render.js';

export function registerCommands(program: Command, io: CliIO): void {
  registerFn(program, io);
  registerImport(program, io);
  registerHistory(program, io);
  registerRollback(program, io);
  registerTag(program, io);
  registerSetTriggers(program, io);
  registerCheck(program, io);
  registerRender(program, io);
}
