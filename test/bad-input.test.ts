/**
 * The bad-input corpus: each file under test/fixtures/bad-input/ starts with `# expect: CODE`.
 * The second line, `# says: TEXT`, is what the error must name (the field, value or reason).
 * Every case runs through the built function executable and must exit 1 with an error result of
 * that code, naming what is wrong, and with no item changed (nothing half-written).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseDocument } from 'yaml';
import { transform } from '../src/fn/transform.js';

const dir = join(import.meta.dirname, 'fixtures/bad-input');
const fn = join(import.meta.dirname, '../dist/streamlock-fn.mjs');
const cases = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

describe('bad input corpus', () => {
  it('has the built function (npm test builds first)', () => {
    expect(existsSync(fn)).toBe(true);
  });

  it.each(cases)('%s', (file) => {
    const input = readFileSync(join(dir, file), 'utf8');
    const expected = /^# expect: ([A-Z_]+)/.exec(input)?.[1];
    expect(expected).toBeTruthy();
    const run = spawnSync(process.execPath, [fn], { input, encoding: 'utf8' });
    expect(run.status).toBe(1);
    // Only the parts needed: the output may hold the input's alias bomb, unexpanded.
    const out = parseDocument(run.stdout);
    expect(out.get('kind')).toBe('ResourceList');
    const errors = ((out.get('results') as any)?.toJSON() ?? []).filter((r: any) => r.severity === 'error');
    expect(errors.map((r: any) => r.tags?.code)).toContain(expected);
    const says = /^# says: (.+)$/m.exec(input)?.[1];
    expect(says).toBeTruthy();
    const coded = errors.filter((r: any) => r.tags?.code === expected);
    expect(coded.some((e: any) => e.message.includes(says)), `no ${expected} error says ${says}`).toBe(true);
    // An error about a resource names it in the message too, as a person reads it in kpt's output.
    for (const e of coded) if (e.resourceRef?.name) expect(e.message).toContain(`${e.resourceRef.kind} `);
    // stderr repeats the errors for people reading kpt's output
    expect(run.stderr).toContain('error: ');
    // Nothing half-written: when the input was a ResourceList, it comes back byte for byte, with
    // only the results appended.
    const doc = parseDocument(input);
    if (doc.errors.length === 0 && (doc.contents as any)?.get?.('kind') === 'ResourceList') {
      expect(run.stdout.startsWith(input)).toBe(true);
      expect(run.stdout.slice(input.length)).toMatch(/^results:\n/);
    }
  });

  it.each(cases)('%s: item-by-item parsing and one Document give the same output', (file) => {
    const input = readFileSync(join(dir, file), 'utf8');
    expect(transform(input).text).toBe(transform(input, { wholeDocument: true }).text);
  });

  it('errors name the resource, the trigger and the field', () => {
    const input = readFileSync(join(dir, 'fieldpath-matches-nothing.yaml'), 'utf8');
    const out = parse(spawnSync(process.execPath, [fn], { input, encoding: 'utf8' }).stdout);
    const [err] = out.results;
    expect(err.message).toContain('Deployment demo/web');
    expect(err.message).toContain('trigger 0');
    expect(err.message).toContain('containers: web');
    expect(err.resourceRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'demo' });
    expect(err.field.path).toBe('metadata.annotations["image.openshift.io/triggers"][0].fieldPath');
  });

  it('reports every problem of a run, not only the first', () => {
    const input = readFileSync(join(dir, 'one-good-one-bad.yaml'), 'utf8').replace('"name":"web:latest"', '"name":"gone:1"');
    const out = parse(spawnSync(process.execPath, [fn], { input, encoding: 'utf8' }).stdout);
    expect(out.results.filter((r: any) => r.severity === 'error')).toHaveLength(2);
  });
});
