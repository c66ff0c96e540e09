/** Standalone KRM function executable (kpt `--exec`, kustomize exec functions, the container). */
import { runFunction } from './run.js';

process.exitCode = await runFunction({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() });
