// Introspection round trip: for each SDL, our engine executes graphql-js's
// getIntrospectionQuery (every option on); graphql-js's buildClientSchema +
// printSchema of our result must equal printSchema(buildSchema(sdl)). The
// introspection JSON of the user-defined types and directives must also equal
// what graphql-js itself returns for the same SDL (built-in types are left
// out: their descriptions are ours).
//
// usage: node run.mjs BFF_SCHEMA_BINARY
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../../..');
const require = createRequire(join(root, 'tests/node/package.json'));
const g = require('graphql');
console.log(`oracle: graphql-js ${require('graphql').version}`);
const bin = process.argv[2];

const sdls = [
  'tests/conformance/introspection/kitchen.graphql',
  'tests/conformance/differential/schema.graphql',
  'tests/fixtures/exec/schema.graphql',
  'schema/commerce.graphql',
];
const query = g.getIntrospectionQuery({
  descriptions: true,
  specifiedByUrl: true,
  directiveIsRepeatable: true,
  schemaDescription: true,
  inputValueDeprecation: true,
  oneOf: true,
});
const dir = mkdtempSync(join(tmpdir(), 'bff-introspection-'));
const qfile = join(dir, 'query.graphql');
writeFileSync(qfile, query);

const builtinTypes = new Set(['String', 'Int', 'Float', 'Boolean', 'ID']);
const userPart = (data) => ({
  description: data.__schema.description,
  queryType: data.__schema.queryType,
  mutationType: data.__schema.mutationType,
  subscriptionType: data.__schema.subscriptionType,
  types: data.__schema.types.filter((t) => !t.name.startsWith('__') && !builtinTypes.has(t.name)),
  directives: data.__schema.directives.filter((d) => !g.specifiedDirectives.some((s) => s.name === d.name)),
  typeNames: data.__schema.types.map((t) => t.name),
});

let failures = 0;
for (const rel of sdls) {
  const sdl = readFileSync(join(root, rel), 'utf8');
  const r = spawnSync(bin, ['execute', '--schema', join(root, rel), qfile], { encoding: 'utf8', maxBuffer: 1 << 26 });
  try {
    assert.equal(r.status, 0, r.stderr);
    const ours = JSON.parse(r.stdout);
    assert.equal(ours.errors, undefined, JSON.stringify(ours.errors));
    const schema = g.buildSchema(sdl);
    const expectedPrint = g.printSchema(schema);
    const roundTrip = g.printSchema(g.buildClientSchema(ours.data));
    assert.equal(roundTrip, expectedPrint, 'printSchema(buildClientSchema(ours)) differs');
    const theirs = JSON.parse(JSON.stringify(g.graphqlSync({ schema, source: query })));
    assert.deepEqual(userPart(ours.data), userPart(theirs.data));
    console.log(`ok ${rel}`);
  } catch (e) {
    failures++;
    console.log(`FAIL ${rel}: ${e.message.slice(0, 3000)}`);
  }
}
rmSync(dir, { recursive: true, force: true });
process.exit(failures ? 1 : 0);
