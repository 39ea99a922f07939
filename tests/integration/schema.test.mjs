// The governed schema, read by graphql-js: it builds, every type, field,
// argument, input field and enum value has a description, and deprecations
// name their replacement and a removal date.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireNode, root } from './lib.mjs';

const g = requireNode('graphql');
const schema = g.buildSchema(readFileSync(join(root, 'schema/commerce.graphql'), 'utf8'));

test('the commerce schema builds and is valid for graphql-js', () => {
  assert.deepEqual(g.validateSchema(schema).map((e) => e.message), []);
});

test('every type, field, argument, input field and enum value is described', () => {
  const missing = [];
  const need = (what, x) => { if (!x.description || !x.description.trim()) missing.push(what); };
  for (const t of Object.values(schema.getTypeMap())) {
    if (t.name.startsWith('__') || g.isSpecifiedScalarType(t)) continue;
    need(t.name, t);
    if (g.isObjectType(t) || g.isInterfaceType(t) || g.isInputObjectType(t)) {
      for (const f of Object.values(t.getFields())) {
        need(`${t.name}.${f.name}`, f);
        for (const a of f.args ?? []) need(`${t.name}.${f.name}(${a.name})`, a);
      }
    }
    if (g.isEnumType(t)) for (const v of t.getValues()) need(`${t.name}.${v.name}`, v);
  }
  assert.deepEqual(missing, []);
});

test('at least three deprecations, each naming its replacement and a removal date', () => {
  const deprecated = [];
  for (const t of Object.values(schema.getTypeMap())) {
    if (t.name.startsWith('__')) continue;
    if (g.isObjectType(t) || g.isInterfaceType(t))
      for (const f of Object.values(t.getFields())) if (f.deprecationReason) deprecated.push([`${t.name}.${f.name}`, f.deprecationReason]);
    if (g.isEnumType(t)) for (const v of t.getValues()) if (v.deprecationReason) deprecated.push([`${t.name}.${v.name}`, v.deprecationReason]);
  }
  assert.ok(deprecated.length >= 3, JSON.stringify(deprecated));
  for (const [where, reason] of deprecated) {
    assert.match(reason, /Use `\w+`/, `${where} names its replacement`);
    assert.match(reason, /\d{4}-\d{2}-\d{2}/, `${where} gives a removal date`);
  }
});

// bff-schema diff / check, the schema owners' tool
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname } from 'node:path';
import { BFF } from './lib.mjs';

const TOOL = join(dirname(BFF), 'bff-schema');
function diff(oldSdl, newSdl, ...extra) {
  const dir = mkdtempSync(join(tmpdir(), 'bff-diff-'));
  writeFileSync(join(dir, 'old.graphql'), oldSdl);
  writeFileSync(join(dir, 'new.graphql'), newSdl);
  const args = extra.length ? ['check', '--baseline', join(dir, 'old.graphql'), ...extra.map((a) => (a === '@usage' ? join(dir, 'usage.json') : a)), join(dir, 'new.graphql')] : ['diff', join(dir, 'old.graphql'), join(dir, 'new.graphql')];
  return { dir, run: () => spawnSync(TOOL, args, { encoding: 'utf8' }) };
}
const BASE = `"Q." type Query { "A." a: String "B." b(x: Int): String "P." p: P "E." e: E }
"P." type P { "N." n: Int "OLD." old: Int @deprecated(reason: "Use \`n\`. Removal after 2026-01-31.") }
"E." enum E { "X." X "Y." Y }`;

test('bff-schema diff classes changes: breaking, dangerous, safe', () => {
  const cases = [
    [BASE.replace('"A." a: String ', ''), /^breaking: Field Query.a was removed$/m, 1],
    [BASE.replace('b(x: Int)', 'b(x: Int!)'), /^breaking: Argument Query.b\(x:\) changed type from Int to Int!$/m, 1],
    [BASE.replace('"Y." Y ', ''), /^breaking: Enum value E.Y was removed$/m, 1],
    [BASE.replace('"A." a: String', '"A." a: Int'), /^breaking: Field Query.a changed type from String to Int$/m, 1],
    [BASE.replace('"A." a: String', '"A." a: String "C." c: String'), /^safe: Field Query.c was added$/m, 0],
    [BASE.replace('"Y." Y', '"Y." Y "Z." Z'), /^dangerous: Enum value E.Z was added/m, 0],
    [BASE.replace('b(x: Int)', 'b(x: Int, y: Int!)'), /^breaking: Argument Query.b\(y:\) was added as required$/m, 1],
    [BASE.replace('"A." a: String', '"A." a: String!'), /^safe: Field Query.a changed type from String to String!$/m, 0],
  ];
  for (const [next, want, code] of cases) {
    const d = diff(BASE, next);
    const r = d.run();
    rmSync(d.dir, { recursive: true });
    assert.match(r.stdout, want, r.stdout + r.stderr);
    assert.equal(r.status, code, r.stdout);
  }
});

test('bff-schema check: a breaking change fails; a deprecated field may go after its removal date when the usage export shows no use', () => {
  const withoutOld = BASE.replace(/"OLD\." old: Int @deprecated\(reason: "[^"]*"\) /, '');
  const usage = (lastSeen) => JSON.stringify({ deprecations: [{ coordinate: 'P.old', count: 3, clients: lastSeen ? [{ name: 'web-shop', version: '1', count: 3, lastSeen }] : [] }] });
  const runCheck = (today, lastSeen, withUsage = true) => {
    const d = diff(BASE, withoutOld, ...(withUsage ? ['--usage', '@usage'] : []), '--today', today, '--days', '30');
    if (withUsage) writeFileSync(join(d.dir, 'usage.json'), usage(lastSeen));
    const r = d.run();
    rmSync(d.dir, { recursive: true });
    return r;
  };
  let r = runCheck('2026-01-15', null);
  assert.equal(r.status, 1, 'before its removal date');
  assert.match(r.stdout, /removal date 2026-01-31 has not come/);
  r = runCheck('2026-03-01', '2026-02-20T10:00:00Z');
  assert.equal(r.status, 1, 'used 9 days ago');
  assert.match(r.stdout, /still used: web-shop/);
  r = runCheck('2026-03-01', null, false);
  assert.equal(r.status, 1, 'no usage export');
  r = runCheck('2026-03-01', '2026-01-10T10:00:00Z');
  assert.equal(r.status, 0, r.stdout);
  assert.match(r.stdout, /^allowed: Field P.old was removed/m);
  // --fleet: only an export of the fleet's data ("source": "fleet") decides; one instance's is refused
  const fleetCheck = (source) => {
    const d = diff(BASE, withoutOld, '--usage', '@usage', '--fleet', '--today', '2026-03-01', '--days', '30');
    writeFileSync(join(d.dir, 'usage.json'), JSON.stringify({ ...JSON.parse(usage('2026-01-10T10:00:00Z')), ...(source ? { source } : {}) }));
    const res = d.run();
    rmSync(d.dir, { recursive: true });
    return res;
  };
  r = fleetCheck('fleet');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  for (const source of ['instance', null]) {
    r = fleetCheck(source);
    assert.equal(r.status, 2, r.stdout);
    assert.match(r.stderr, /is not the fleet's usage/);
  }
  const dropped = diff(BASE, BASE.replace('"A." a: String ', ''), '--today', '2026-03-01');
  const r2 = dropped.run();
  rmSync(dropped.dir, { recursive: true });
  assert.equal(r2.status, 1);
});
