/** examples/seed/run.sh, the walk-through `npm run seed` runs: render, rollout, rollback, exit 0. */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLES_DIR, requireBuild, run } from '../helpers/kpt.js';

const REPO = 'registry.access.redhat.com/ubi8/ubi@';
const GEN1 = 'sha256:b24793788a68c2e62d30f16de8fff5c829e89cbb3fcfe8e28d557169da4c34d0';
const GEN2 = 'sha256:f9e4dce1e684ddec93713d689fd2c5951d21df00d92575b6b8aac6b4348ba534';
const GEN3 = 'sha256:e95ca21efd14f14e1edc4fca065a0bc748263b1cd4dd4b62e6b1228f774df810';

beforeAll(() => requireBuild());

describe('examples/seed/run.sh', () => {
  it('renders generation 2, rolls out generation 3, rolls back to generation 1, unpins, and exits 0', async () => {
    const out = await run('bash', [join(EXAMPLES_DIR, 'seed', 'run.sh')]);
    expect(out.code, out.stdout + out.stderr).toBe(0);
    const images = [...out.stdout.matchAll(/myapp image: (\S+)/g)].map((m) => m[1]);
    expect(images).toEqual([REPO + GEN2, REPO + GEN3, REPO + GEN1, REPO + GEN3]);
    expect(out.stdout).toContain(`ubi:8 generation 1 (pinned) ${GEN1}`);
    expect(out.stdout).toContain('$ streamlock tag registry.access.redhat.com/ubi8/ubi@' + GEN3 + ' ubi:8');
    expect(out.stdout).toContain('$ streamlock rollback ubi:8 --to-generation 1');
    expect(out.stdout).toContain('+    pinned: 1');
    expect(out.stdout).toMatch(/^Done: /m);
  });
});
