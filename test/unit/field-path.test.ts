import { describe, expect, it } from 'vitest';
import { formatFieldPath, parseFieldPath } from '../../src/field-path.js';

const DEPLOY = ['spec', 'template', 'spec'];
const CRON = ['spec', 'jobTemplate', 'spec', 'template', 'spec'];

describe('parseFieldPath', () => {
  it.each([
    ['spec.template.spec.containers[?(@.name=="web")].image', { list: 'containers', selector: { by: 'name', name: 'web' } }],
    ['spec.template.spec.initContainers[?(@.name=="migrate")].image', { list: 'initContainers', selector: { by: 'name', name: 'migrate' } }],
    ['spec.template.spec.containers[0].image', { list: 'containers', selector: { by: 'index', index: 0 } }],
    ['spec.template.spec.initContainers[12].image', { list: 'initContainers', selector: { by: 'index', index: 12 } }],
  ])('accepts %s', (path, expected) => {
    expect(parseFieldPath(path, DEPLOY, 'Deployment')).toEqual({ ok: true, value: expected });
  });

  it('rejects a path written for another kind, naming the right base', () => {
    const r = parseFieldPath('spec.template.spec.containers[0].image', CRON, 'CronJob');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problem.code).toBe('TRIGGER_WRONG_KIND_PATH');
      expect(r.problem.reason).toContain('spec.jobTemplate.spec.template.spec.');
    }
  });

  it.each([
    ['spaces in the filter', 'spec.template.spec.containers[?(@.name == "web")].image'],
    ['single quotes', "spec.template.spec.containers[?(@.name=='web')].image"],
    ['half-open filter OpenShift tolerates', 'spec.template.spec.containers[?(@.name=="web]'],
    ['a field other than image', 'spec.template.spec.containers[?(@.name=="web")].env'],
    ['a deeper field', 'spec.template.spec.containers[?(@.name=="web")].image.x'],
    ['missing dot before image', 'spec.template.spec.containers[0]image'],
    ['negative index', 'spec.template.spec.containers[-1].image'],
    ['signed index', 'spec.template.spec.containers[+1].image'],
    ['wildcard', 'spec.template.spec.containers[*].image'],
    ['script expression', 'spec.template.spec.containers[(@.length-1)].image'],
    ['a JS payload', 'spec.template.spec.containers[?(@.name==this.constructor.constructor("return process")())].image'],
    ['ephemeral containers', 'spec.template.spec.ephemeralContainers[0].image'],
    ['bare name', 'spec.template.spec.containers[web].image'],
    ['upper-case container name', 'spec.template.spec.containers[?(@.name=="Web")].image'],
    ['recursive descent', 'spec.template.spec..image'],
    ['overlong', `spec.template.spec.containers[?(@.name=="${'a'.repeat(600)}")].image`],
  ])('rejects %s', (_why, path) => {
    const r = parseFieldPath(path, DEPLOY, 'Deployment');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem.code).toBe('FIELDPATH_REJECTED');
  });

  it('formats what oc set triggers writes, and parses it back', () => {
    const p = formatFieldPath(CRON, 'containers', 'report');
    expect(p).toBe('spec.jobTemplate.spec.template.spec.containers[?(@.name=="report")].image');
    expect(parseFieldPath(p, CRON, 'CronJob')).toEqual({ ok: true, value: { list: 'containers', selector: { by: 'name', name: 'report' } } });
  });
});
