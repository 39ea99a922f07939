// Introspection shows each caller a schema that is valid on its own: for
// every combination of the scopes the schema uses, what the server returns
// builds and validates in graphql-js (buildClientSchema + validateSchema), a
// root type with no visible field is null, and no type is listed that only
// hidden elements reach. GraphiQL and GraphQL Code Generator need exactly this.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireNode, root, startServer } from './lib.mjs';

const { buildClientSchema, validateSchema, getIntrospectionQuery, buildSchema, isObjectType } = requireNode('graphql');
const sdl = buildSchema(readFileSync(join(root, 'schema/commerce.graphql'), 'utf8'));

// every scope the schema names
const SCOPES = [...new Set([...readFileSync(join(root, 'schema/commerce.graphql'), 'utf8').matchAll(/@requiresScopes\(scopes: \[([^\]]*)\]\)/g)]
  .flatMap((m) => m[1].split(',').map((x) => x.trim().replace(/"/g, ''))))].sort();

test('introspection is a valid schema for every scope set, and hides what the caller cannot reach', async () => {
  assert.ok(SCOPES.length >= 5, SCOPES.join(','));
  const subsets = [];
  for (let m = 0; m < 1 << SCOPES.length; m++) subsets.push(SCOPES.filter((_, i) => m & (1 << i)));
  const keys = {};
  subsets.forEach((scopes, i) => {
    keys[createHash('sha256').update(`key-${i}`).digest('hex')] = { client: `c${i}`, channel: 'web', tier: 'storefront', scopes };
  });
  const srv = await startServer({ threads: 1, env: { BFF_API_KEYS: JSON.stringify(keys), BFF_ANONYMOUS_SCOPES: '' } });
  try {
    const ask = async (headers, query = getIntrospectionQuery()) =>
      (await (await fetch(`${srv.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) })).json());
    for (let i = -1; i < subsets.length; i++) {
      const scopes = i < 0 ? [] : subsets[i];
      const r = await ask(i < 0 ? {} : { 'x-api-key': `key-${i}` });
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
      const client = buildClientSchema(r.data);
      assert.deepEqual(validateSchema(client).map((e) => e.message), [], `scopes [${scopes}]`);
      // a field shown is one the caller may select: no shown field needs a scope the caller lacks
      for (const t of Object.values(client.getTypeMap())) {
        if (!isObjectType(t) || t.name.startsWith('__')) continue;
        const full = sdl.getType(t.name);
        for (const f of Object.values(t.getFields())) {
          const need = [full.astNode, full.getFields()[f.name].astNode]
            .flatMap((n) => n?.directives?.filter((d) => d.name.value === 'requiresScopes') ?? [])
            .flatMap((d) => d.arguments[0].value.values.map((v) => v.value));
          assert.ok(need.every((s) => scopes.includes(s)), `[${scopes}] sees ${t.name}.${f.name} needing ${need}`);
        }
      }
      const canWrite = scopes.includes('cart:write') || scopes.includes('checkout:write');
      assert.equal(r.data.__schema.mutationType === null, !canWrite, `[${scopes}] mutationType`);
      const names = r.data.__schema.types.map((t) => t.name);
      assert.equal(names.includes('Cart'), scopes.includes('cart:read') || scopes.includes('cart:write'), `[${scopes}] Cart listed`);
      assert.equal(names.includes('UserError'), canWrite, `[${scopes}] UserError listed`);
      const one = await ask(i < 0 ? {} : { 'x-api-key': `key-${i}` }, '{ __type(name: "Customer") { name } }');
      assert.equal(one.data.__type === null, !scopes.includes('customers:read'), `[${scopes}] __type(Customer)`);
    }
  } finally {
    assert.equal((await srv.stop()).code, 0);
  }
});
