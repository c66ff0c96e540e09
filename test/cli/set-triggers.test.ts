import { describe, expect, it, vi } from 'vitest';

vi.mock('ajv/dist/runtime/ucs2length.js', async (importOriginal) => {
  const mod = (await importOriginal()) as { default: unknown };
  const fn = typeof mod.default === 'function' ? mod.default : (mod.default as { default: unknown }).default;
  return { default: { default: fn } };
});

import { DEPLOYMENT, NAMESPACE, TRIGGER, changedLines, cli, read, workspace } from './helpers.js';

const CRONJOB = `apiVersion: batch/v1
kind: CronJob
metadata:
  name: report   # nightly
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          initContainers:
          - name: fetch
            image: "busybox:1"
          containers:
          - name: report
            image: ubi:8
          restartPolicy: Never
`;

/** A multi-document file: Namespace, Deployment, CronJob. */
const MULTI = `${NAMESPACE}---\n${DEPLOYMENT}---\n${CRONJOB}`;

describe('streamlock set-triggers', () => {
  it('adds the annotation oc writes, changing only that line, and is idempotent', async () => {
    const dir = workspace({ 'app.yaml': MULTI });
    const r = await cli(['set-triggers', 'app.yaml', '--name', 'deploy/myapp', '--from-image', 'ubi:8', '-c', 'myapp'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('app.yaml: Deployment demo/myapp: triggers updated\n');
    const after = read(dir, 'app.yaml');
    expect(changedLines(MULTI, after)).toEqual({ removed: [], added: [`    image.openshift.io/triggers: ${JSON.stringify(TRIGGER)}`] });
    const again = await cli(['set-triggers', 'app.yaml', '--name', 'myapp', '--from-image', 'ubi:8', '-c', 'myapp'], { cwd: dir });
    expect(again.stdout).toBe('app.yaml: Deployment demo/myapp: triggers unchanged\n');
    expect(read(dir, 'app.yaml')).toBe(after);
  });

  it('writes the fieldPath of the list the container is in, for the kind (CronJob, init containers)', async () => {
    const dir = workspace({ 'app.yaml': MULTI });
    const r = await cli(['set-triggers', 'app.yaml', '--name', 'cronjob/report', '--from-image', 'tools:1', '-c', 'fetch,report', '--manual'], { cwd: dir });
    expect(r.code).toBe(0);
    const { removed, added } = changedLines(MULTI, read(dir, 'app.yaml'));
    expect(removed).toEqual([]);
    const value = JSON.stringify([
      { from: { kind: 'ImageStreamTag', name: 'tools:1' }, fieldPath: 'spec.jobTemplate.spec.template.spec.initContainers[?(@.name=="fetch")].image', paused: true },
      { from: { kind: 'ImageStreamTag', name: 'tools:1' }, fieldPath: 'spec.jobTemplate.spec.template.spec.containers[?(@.name=="report")].image', paused: true },
    ]);
    expect(added).toEqual(['  annotations:', `    image.openshift.io/triggers: ${JSON.stringify(value)}`]);
  });

  it('keeps single quotes of an existing value; --auto resumes, --remove and --remove-all take triggers away', async () => {
    const withTrigger = DEPLOYMENT.replace("    team: 'platform'\n", `    team: 'platform'\n    image.openshift.io/triggers: '${TRIGGER}'\n`);
    const dir = workspace({ 'd.yaml': withTrigger });
    await cli(['set-triggers', 'd.yaml', '--manual'], { cwd: dir });
    const paused = TRIGGER.replace(/}]$/, ',"paused":true}]');
    expect(changedLines(withTrigger, read(dir, 'd.yaml'))).toEqual({
      removed: [`    image.openshift.io/triggers: '${TRIGGER}'`],
      added: [`    image.openshift.io/triggers: '${paused}'`],
    });
    await cli(['set-triggers', 'd.yaml', '--auto'], { cwd: dir });
    expect(read(dir, 'd.yaml')).toBe(withTrigger);
    const none = await cli(['set-triggers', 'd.yaml', '--remove', '--from-image', 'other:1'], { cwd: dir });
    expect(none.stdout).toContain('triggers unchanged (no trigger from other:1)');
    await cli(['set-triggers', 'd.yaml', '--remove', '--from-image', 'ubi:8'], { cwd: dir });
    expect(read(dir, 'd.yaml')).toBe(DEPLOYMENT);
    await cli(['set-triggers', 'd.yaml', '--from-image', 'ubi:8', '-c', 'myapp'], { cwd: dir });
    await cli(['set-triggers', 'd.yaml', '--remove-all'], { cwd: dir });
    expect(read(dir, 'd.yaml')).toBe(DEPLOYMENT);
  });

  it('removes the whole annotations entry when the triggers were the only annotation', async () => {
    const only = DEPLOYMENT.replace("  annotations:\n    team: 'platform'\n", `  annotations:\n    image.openshift.io/triggers: '${TRIGGER}'\n`);
    const dir = workspace({ 'd.yaml': only });
    await cli(['set-triggers', 'd.yaml', '--remove-all'], { cwd: dir });
    expect(read(dir, 'd.yaml')).toBe(DEPLOYMENT.replace("  annotations:\n    team: 'platform'\n", ''));
  });

  it('--namespace writes a cross-namespace from; another stream for the same container replaces the trigger', async () => {
    const dir = workspace({ 'd.yaml': DEPLOYMENT });
    await cli(['set-triggers', 'd.yaml', '--from-image', 'ubi:8', '-c', 'myapp', '--namespace', 'shared'], { cwd: dir });
    expect(read(dir, 'd.yaml')).toContain(JSON.stringify('"from":{"kind":"ImageStreamTag","name":"ubi:8","namespace":"shared"}').slice(1, -1));
    const r = await cli(['set-triggers', 'd.yaml', '--from-image', 'demo/ubi:9', '-c', 'myapp'], { cwd: dir });
    expect(r.stdout).toBe('d.yaml: Deployment demo/myapp: triggers updated (container myapp followed shared/ubi:8; now ubi:9)\n');
    // The workload's own namespace is left out, as oc does.
    expect(changedLines(DEPLOYMENT, read(dir, 'd.yaml')).added).toEqual([`    image.openshift.io/triggers: ${JSON.stringify(TRIGGER.replace('ubi:8', 'ubi:9'))}`]);
  });

  it('names file, resource and the valid containers when a container does not exist; writes nothing', async () => {
    const dir = workspace({ 'app.yaml': MULTI });
    const r = await cli(['set-triggers', 'app.yaml', '--from-image', 'ubi:8', '-c', 'myapp'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('streamlock: app.yaml:30: CronJob report: no container "myapp" (containers: fetch (init), report)\n');
    expect(read(dir, 'app.yaml')).toBe(MULTI);
  });

  it('checks usage like oc', async () => {
    const dir = workspace({ 'app.yaml': MULTI });
    const cases: Array<[string[], string]> = [
      [['--from-image', 'ubi:8'], 'you must specify --containers'],
      [['--from-image', 'ubi', '-c', 'x'], 'needs a tag'],
      [['--from-image', 'quay.io/org/ubi:8', '-c', 'x'], 'not a registry image'],
      [['--remove'], '--remove needs --from-image'],
      [['--auto', '--manual'], 'cannot be combined'],
      [['--name', 'nothing', '--remove-all'], 'no workload'],
    ];
    for (const [args, text] of cases) {
      const r = await cli(['set-triggers', 'app.yaml', ...args], { cwd: dir });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toContain(text);
    }
    expect(read(dir, 'app.yaml')).toBe(MULTI);
  });

  it('without trigger flags prints the NAME TYPE VALUE AUTO table', async () => {
    const dir = workspace({ 'app.yaml': MULTI });
    await cli(['set-triggers', 'app.yaml', '--name', 'myapp', '--from-image', 'ubi:8', '-c', 'myapp'], { cwd: dir });
    await cli(['set-triggers', 'app.yaml', '--name', 'report', '--from-image', 'ubi:8', '-c', 'report', '--manual'], { cwd: dir });
    const r = await cli(['set-triggers', 'app.yaml'], { cwd: dir });
    expect(r.stdout).toBe(
      ['NAME                TYPE    VALUE            AUTO', 'deployments/myapp   image   ubi:8 (myapp)    true', 'cronjobs/report     image   ubi:8 (report)   false', ''].join('\n'),
    );
    const j = JSON.parse((await cli(['set-triggers', 'app.yaml', '-o', 'json', '--name', 'myapp'], { cwd: dir })).stdout);
    expect(j).toEqual([{ file: 'app.yaml', kind: 'Deployment', name: 'myapp', namespace: 'demo', triggers: [{ from: 'ubi:8', container: 'myapp', fieldPath: 'spec.template.spec.containers[?(@.name=="myapp")].image', paused: false }] }]);
  });
});
