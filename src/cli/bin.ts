/** `streamlock` executable entry. */
import { main } from './main.js';
import { processIO } from './io.js';

const code = await main(process.argv.slice(2), processIO());
process.exitCode = code;
