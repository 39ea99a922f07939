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
