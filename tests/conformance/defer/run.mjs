// @defer and @stream against graphql-js 17's own executor (legacyExecuteIncrementally:
// the deferSpec=20220824 payloads Apollo Client reads; graphql-js 17.1,
// pinned in tests/node as `graphql17`): each document runs on our executor
// (`bff-schema cats-execute --defer`: every deferred fragment run as soon as
// its parent is done) and on graphql-js 17 with the same data and
// resolvers; the initial payload (data and errors) and the set of
// incremental items (data, path, label, errors) must be the same. graphql-js
// groups items that are ready together into one payload and we send one
// part per fragment, so items are compared as a set.
//
// usage: node run.mjs BFF_SCHEMA_BINARY
import { createRequire } from 'node:module';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '../../node/package.json'));
const g = require('graphql17');
console.log(`oracle: graphql-js ${g.version} (legacyExecuteIncrementally)`);
const bin = process.argv[2];

const sdl = `
directive @defer(if: Boolean! = true, label: String) on FRAGMENT_SPREAD | INLINE_FRAGMENT
directive @stream(initialCount: Int! = 0, if: Boolean! = true, label: String) on FIELD
type Query { product: Product missing: Product products: [Product] things: [Thing] numbers: [Int] grid: [[Int]]
  names: [String!] }
type Product { title: String vendor: String reviews: [Review] broken: String @resolveError(message: "boom")
  brokenNN: String! @resolveError(message: "boom!") }
type Review { rating: Int author: String }
union Thing = Product | Review
`;
const data = {
  root: {
    product: { $ref: 'p1' },
    missing: null,
    products: [{ $ref: 'p1' }, { $ref: 'p2' }],
    things: [{ $ref: 'p2' }, { type: 'Review', rating: 4, author: 'Ann' }],
    numbers: [1, 2, 3, 4, 5],
    grid: [[1, 2], [3, 4], [5]],
    names: ['a', null, 'c'],
  },
  p1: { type: 'Product', title: 'Backpack', vendor: 'Granite', reviews: [{ type: 'Review', rating: 5, author: 'Hiro' }, { type: 'Review', rating: 2, author: 'Chiara' }] },
  p2: { type: 'Product', title: 'Tote', vendor: 'Linen Co', reviews: [] },
};
const docs = [
  ['an inline fragment', '{ product { title ... @defer { vendor } } }'],
  ['labels', '{ product { ... @defer(label: "a") { title } ... @defer(label: "b") { vendor } } }'],
  ['nested', '{ product { title ... @defer(label: "outer") { reviews { rating ... @defer(label: "inner") { author } } } } }'],
  ['a fragment spread', '{ product { ...F @defer(label: "f") } } fragment F on Product { title vendor }'],
  ['if: false', '{ product { ... @defer(if: false) { title } } }'],
  ['if from a variable (true)', 'query ($d: Boolean!) { product { ... @defer(if: $d, label: "v") { title } } }', { d: true }],
  ['if from a variable (false)', 'query ($d: Boolean!) { product { ... @defer(if: $d) { title } } }', { d: false }],
  ['an error in a deferred fragment', '{ product { title ... @defer(label: "e") { vendor broken } } }'],
  ['a non-null error in a deferred fragment', '{ product { title ... @defer(label: "nn") { vendor brokenNN } } }'],
  ['under a null object', '{ missing { title ... @defer { vendor } } product { title } }'],
  ['in list items', '{ products { title ... @defer(label: "each") { vendor } } }'],
  ['at the root', '{ ... @defer(label: "root") { product { title } } }'],
  ['on a type condition of a union', '{ things { __typename ... on Product @defer(label: "p") { title } ... on Review { rating } } }'],
  ['an error in the initial payload beside a deferred one', '{ product { broken ... @defer { title } } }'],
  ['a stream', '{ numbers @stream(initialCount: 2, label: "n") }'],
  ['a stream from the start', '{ numbers @stream }'],
  ['a stream shorter than initialCount', '{ numbers @stream(initialCount: 9) }'],
  ['a stream of objects with a deferred fragment in each', '{ products @stream(initialCount: 1) { title ... @defer(label: "v") { vendor } } }'],
  ['a stream of lists (only the outer one streams)', '{ grid @stream(initialCount: 1) }'],
  ['a stream whose non-null item fails', '{ names @stream(initialCount: 1) }'],
  ['a stream inside a deferred fragment', '{ product { title ... @defer(label: "d") { reviews @stream(initialCount: 1, label: "s") { rating } } } }'],
  ['stream if: false', '{ numbers @stream(if: false) }'],
];

// graphql-js 17: the same data, refs followed, the `type` of a value as its concrete type, @resolveError
function schema17() {
  const s = g.buildSchema(sdl, { assumeValidSDL: true });
  const deref = (v) => (v && typeof v === 'object' && !Array.isArray(v) && typeof v.$ref === 'string' ? data[v.$ref] : v);
  for (const type of Object.values(s.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (g.isAbstractType(type)) type.resolveType = (v) => deref(v)?.type;
    if (!g.isObjectType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      const err = field.astNode?.directives?.find((d) => d.name.value === 'resolveError');
      field.resolve = (parent, _args, _ctx, info) => {
        if (err) throw new Error(err.arguments[0].value.value);
        const v = deref(deref(parent)?.[info.fieldName]);
        return Array.isArray(v) ? v.map((x) => deref(x) ?? null) : v;
      };
    }
  }
  return s;
}

const norm = (e) => ({ message: e.message, locations: e.locations, path: e.path });
const item = (i) => JSON.stringify({ data: i.data, items: i.items, path: i.path, label: i.label ?? null, errors: (i.errors ?? []).map(norm) });

const schema = schema17();
const dir = mkdtempSync(join(tmpdir(), 'bff-defer-'));
const schemaPath = join(dir, 'schema.graphql');
writeFileSync(schemaPath, sdl);
let failures = 0;
for (const [name, query, variables] of docs) {
  const r = await g.legacyExecuteIncrementally({ schema, document: g.parse(query), rootValue: data.root, variableValues: variables });
  const js = { initial: r.initialResult ?? r, items: [] };
  if (r.subsequentResults) for await (const p of r.subsequentResults) js.items.push(...(p.incremental ?? []));
  const docPath = join(dir, 'doc.graphql');
  writeFileSync(docPath, query);
  const args = ['cats-execute', '--assume-valid-sdl', '--schema', schemaPath, '--test-data', JSON.stringify(data), '--test-value', 'root', '--defer'];
  if (variables) args.push('--variables', JSON.stringify(variables));
  const out = spawnSync(bin, [...args, docPath], { encoding: 'utf8' });
  if (out.status !== 0) {
    failures++;
    console.log(`FAIL ${name}: bff-schema: ${out.stderr}`);
    continue;
  }
  const ours = JSON.parse(out.stdout);
  const why = [];
  if (JSON.stringify(ours.initial.data) !== JSON.stringify(js.initial.data)) why.push(`initial data ${JSON.stringify(ours.initial.data)} vs ${JSON.stringify(js.initial.data)}`);
  const errs = (x) => JSON.stringify((x.errors ?? []).map(norm).map((e) => JSON.stringify(e)).sort());
  if (errs(ours.initial) !== errs(js.initial)) why.push(`initial errors ${errs(ours.initial)} vs ${errs(js.initial)}`);
  if ((js.initial.hasNext ?? false) !== ours.incremental.length > 0) why.push(`hasNext ${js.initial.hasNext} vs ${ours.incremental.length} items`);
  const a = ours.incremental.map(item).sort(), b = js.items.map(item).sort();
  if (JSON.stringify(a) !== JSON.stringify(b)) why.push(`items\n    ours: ${a.join('\n          ')}\n    js:   ${b.join('\n          ')}`);
  if (why.length) {
    failures++;
    console.log(`FAIL ${name}: ${why.join('; ')}`);
  }
}
rmSync(dir, { recursive: true, force: true });
console.log(`@defer and @stream: ${docs.length} documents, ${failures} disagreements with graphql-js ${g.version}`);
process.exit(failures ? 1 : 0);
