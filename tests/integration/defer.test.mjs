// @defer: incremental delivery in Apollo's multipart format
// (`Accept: multipart/mixed;deferSpec=20220824`, what Apollo Client sends for
// a query with @defer): the initial payload first, each deferred fragment as
// a part of its own once its execution is done, over HTTP/1.1 chunks and
// HTTP/2 streams. Apollo Client 3 (pinned in tests/node) runs
// examples/product_page_deferred.graphql with reviews delayed 500 ms at the
// simulator: the page comes in under 100 ms, the reviews after the delay.
// Errors stay in their part; a nulled object's deferred fragments are not
// sent; nested @defer; @stream's rest in a part of its own; a client that
// goes away; without the deferSpec Accept everything comes inline.
// Validation of @defer/@stream is graphql-js 17's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:http2';
import { requireNode, root, startServer, startSim, sleep } from './lib.mjs';

let sim, srv;
const { ApolloClient, InMemoryCache, HttpLink, gql } = requireNode('@apollo/client/core');
const example = (name) => ({
  query: readFileSync(join(root, 'examples', `${name}.graphql`), 'utf8'),
  variables: JSON.parse(readFileSync(join(root, 'examples', `${name}.json`), 'utf8')),
});
const INCREMENTAL = 'multipart/mixed;deferSpec=20220824,application/json';

before(async () => {
  sim = await startSim();
  // reviews may take up to 2 s here (the enrichment pool's default would cut a 500 ms delay at 300 ms)
  srv = await startServer({ env: { BFF_PROVIDERS_URL: sim.url, BFF_PROVIDERS: '{"reviews": {"timeout_ms": 2000}}' } });
});
after(async () => {
  assert.equal((await srv.stop()).code, 0);
  assert.equal(await sim.stop(), 0);
});
const faults = (f) => fetch(`${sim.url}/_sim/faults`, { method: 'POST', body: JSON.stringify(f) });
const reset = () => fetch(`${sim.url}/_sim/reset`, { method: 'POST', body: '{}' });

// The parts of a multipart answer (JSON bodies, in order) and its raw text; a JSON answer as `single`.
function splitParts(text, boundary) {
  return text
    .split(`\r\n--${boundary}`)
    .slice(1)
    .filter((chunk) => !chunk.startsWith('--'))
    .map((chunk) => JSON.parse(chunk.slice(chunk.indexOf('\r\n\r\n') + 4)));
}
async function parts(body, accept = INCREMENTAL) {
  const res = await fetch(`${srv.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', accept }, body: JSON.stringify(body) });
  const type = res.headers.get('content-type');
  if (!type.startsWith('multipart/mixed')) return { type, single: await res.json() };
  const boundary = /boundary="?([^";]+)"?/.exec(type)[1];
  const text = await res.text();
  return { type, parts: splitParts(text, boundary).map((b) => ({ body: b })), text, boundary };
}

test('Apollo Client runs the deferred product page: the page first, the delayed reviews after', async () => {
  await reset();
  await faults({ reviews: { latency_ms: 500 } });
  const client = new ApolloClient({ link: new HttpLink({ uri: `${srv.url}/graphql`, fetch }), cache: new InMemoryCache() });
  const { query, variables } = example('product_page_deferred');
  const t0 = Date.now();
  const seen = [];
  await new Promise((resolve, reject) => {
    const sub = client.watchQuery({ query: gql(query), variables }).subscribe({
      next: (r) => {
        seen.push({ at: Date.now() - t0, product: r.data?.product });
        if (r.data?.product?.reviews) {
          sub.unsubscribe();
          resolve();
        }
      },
      error: reject,
    });
  });
  client.stop();
  await reset();
  const first = seen[0], last = seen.at(-1);
  assert.equal(first.product.title, 'Linen Backpack');
  assert.ok(first.product.variants[0].price.amount, 'prices and stock come with the page');
  assert.equal(first.product.reviews, undefined, 'the reviews are not in the first result');
  assert.ok(first.at < 100, `first result after ${first.at} ms`);
  assert.ok(last.at >= 500, `the reviews after ${last.at} ms`);
  assert.equal(last.product.reviews.length, Math.min(3, last.product.rating.count));
  assert.equal(last.product.recommendations.length, 4);
});

test('the multipart answer: the initial payload, one part per deferred fragment with its path and label, hasNext, the closing boundary', async () => {
  await reset();
  const r = await parts(example('product_page_deferred'));
  assert.match(r.type, /^multipart\/mixed;boundary="graphql";deferSpec=20220824$/);
  assert.equal(r.parts.length, 3);
  const [initial, ...rest] = r.parts.map((p) => p.body);
  assert.equal(initial.hasNext, true);
  assert.equal(initial.data.product.title, 'Linen Backpack');
  assert.equal(initial.data.product.reviews, undefined);
  assert.ok(initial.extensions.cost.requestedQueryCost > 0);
  assert.deepEqual(rest.map((p) => p.hasNext), [true, false]);
  const items = rest.flatMap((p) => p.incremental);
  assert.deepEqual(items.map((i) => i.label).sort(), ['recommendations', 'reviews']);
  for (const i of items) assert.deepEqual(i.path, ['product']);
  const reviews = items.find((i) => i.label === 'reviews');
  assert.ok(Array.isArray(reviews.data.reviews));
  assert.ok(r.text.endsWith('\r\n--graphql--\r\n'));
  // the same data as the undeferred page
  const plain = await (await fetch(`${srv.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(example('product_page')) })).json();
  assert.deepEqual(reviews.data.reviews, plain.data.product.reviews);
});

test('a failing deferred fragment: its part carries the error and its path, the page is whole', async () => {
  await reset();
  await faults({ reviews: { status: 503 } });
  const r = await parts(example('product_page_deferred'));
  await reset();
  const initial = r.parts[0].body;
  assert.equal(initial.errors, undefined);
  const reviews = r.parts.flatMap((p) => p.body.incremental ?? []).find((i) => i.label === 'reviews');
  assert.equal(reviews.data.reviews, null);
  assert.ok(reviews.errors.every((e) => e.extensions.code === 'DEPENDENCY_UNAVAILABLE'));
  assert.deepEqual(reviews.errors.map((e) => e.path.join('.')).sort(), ['product.rating', 'product.reviews']);
});

test('nested @defer, a nulled object, inline delivery without the deferSpec Accept', async () => {
  await reset();
  const nested = await parts({
    query: `{ product(handle: "linen-backpack-1") { title ... @defer(label: "outer") { variants { sku ... @defer(label: "inner") { quantityAvailable } } } } }`,
  });
  const labels = nested.parts.flatMap((p) => p.body.incremental ?? []).map((i) => i.label);
  assert.equal(labels[0], 'outer', 'the outer fragment first');
  assert.ok(labels.filter((l) => l === 'inner').length >= 1);
  const inner = nested.parts.flatMap((p) => p.body.incremental ?? []).filter((i) => i.label === 'inner');
  assert.deepEqual(inner[0].path, ['product', 'variants', 0]);
  assert.equal(nested.parts.at(-1).body.hasNext, false);
  // a deferred fragment whose fields need no provider: it is done at once, in the same turn as the first part
  const quick = await parts({ query: '{ shop { name ... @defer(label: "s") { currencyCode } } }' });
  assert.deepEqual(quick.parts.map((p) => p.body.hasNext), [true, false]);
  assert.deepEqual(quick.parts[1].body.incremental, [{ data: { currencyCode: 'EUR' }, path: ['shop'], label: 's' }]);
  // no product: nothing deferred is delivered, one JSON answer
  const none = await parts({ query: '{ product(handle: "no-such-product") { title ... @defer { vendor } } }' });
  assert.equal(none.single.data.product, null);
  // a plain JSON client (or multipart without deferSpec) gets it all inline
  const inline = await parts(example('product_page_deferred'), 'application/json');
  assert.ok(inline.single.data.product.reviews);
  const other = await parts(example('product_page_deferred'), 'multipart/mixed, application/json');
  assert.ok(other.single.data.product.recommendations);
});

test('@stream: the first items with the page, the rest in a part of its own; Apollo Client puts them together', async () => {
  await reset();
  const q = '{ product(handle: "linen-backpack-1") { title variants @stream(initialCount: 1, label: "more") { sku title } } }';
  const r = await parts({ query: q });
  const [initial, ...rest] = r.parts.map((p) => p.body);
  assert.equal(initial.data.product.variants.length, 1);
  const items = rest.flatMap((p) => p.incremental);
  assert.equal(items.length, 1);
  assert.deepEqual(items[0].path, ['product', 'variants', 1]);
  assert.equal(items[0].label, 'more');
  const all = (await parts({ query: q }, 'application/json')).single.data.product.variants;
  assert.deepEqual([...initial.data.product.variants, ...items[0].items], all);
  const client = new ApolloClient({ link: new HttpLink({ uri: `${srv.url}/graphql`, fetch }), cache: new InMemoryCache() });
  const seen = await new Promise((resolve, reject) => {
    const got = [];
    const sub = client.watchQuery({ query: gql(q) }).subscribe({
      next: (res) => {
        got.push(res.data.product.variants.length);
        if (res.data.product.variants.length === all.length) {
          sub.unsubscribe();
          resolve(got);
        }
      },
      error: reject,
    });
  });
  client.stop();
  // (both parts may come in one read here: the streamed items need no provider call, so Apollo may show them at once)
  assert.equal(seen.at(-1), all.length);
});

test('over HTTP/2 too; a client that goes away cancels the deferred work and the server stays up', async () => {
  await reset();
  await faults({ reviews: { latency_ms: 300 } });
  const session = connect(srv.url);
  const stream = session.request({ ':method': 'POST', ':path': '/graphql', 'content-type': 'application/json', accept: INCREMENTAL });
  let text = '';
  stream.setEncoding('utf8');
  stream.on('data', (d) => (text += d));
  stream.end(JSON.stringify(example('product_page_deferred')));
  await new Promise((resolve) => stream.on('end', resolve));
  assert.match(text, /"hasNext":true/);
  assert.ok(text.endsWith('\r\n--graphql--\r\n'));
  // the next one is reset while its reviews are still on the way
  const gone = session.request({ ':method': 'POST', ':path': '/graphql', 'content-type': 'application/json', accept: INCREMENTAL });
  gone.on('error', () => {});
  gone.on('data', () => gone.close(0x8)); // after the first part
  gone.end(JSON.stringify(example('product_page_deferred')));
  await sleep(500);
  session.close();
  await reset();
  const ok = await parts({ query: '{ shop { name } }' }, 'application/json');
  assert.equal(ok.single.data.shop.name, 'Demo Storefront');
});

test('validation: no defer or stream on a mutation root, stream on lists only, labels static and unique', async () => {
  const messages = async (query, variables) => {
    const res = await fetch(`${srv.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
    return (await res.json()).errors?.map((e) => e.message);
  };
  assert.deepEqual(await messages('mutation { ... @defer { cartCreate { cart { id } } } }'), [
    'Defer directive cannot be used on root mutation type "Mutation".',
  ]);
  assert.deepEqual(await messages('{ shop { name @stream } }'), ['Directive "@stream" cannot be used on non-list field "Shop.name".']);
  assert.deepEqual(await messages('{ shop { ... @defer(label: "a") { name } ... @defer(label: "a") { currencyCode } } }'), [
    'Value for arguments "defer(label:)" and "stream(label:)" must be unique across all Defer/Stream directive usages.',
  ]);
  assert.deepEqual(await messages('query ($l: String) { shop { ... @defer(label: $l) { name } } }', { l: 'x' }), [
    'Argument "@defer(label:)" must be a static string.',
  ]);
});
