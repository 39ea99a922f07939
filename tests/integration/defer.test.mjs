// @defer and @stream, first step: the schema declares them (the incremental
// delivery RFC's directives) and validation applies graphql-js 17's rules
// for them (no defer or stream on a mutation's root, stream on lists only,
// static unique labels); deferred fragments and streamed lists are delivered
// with the rest of the response, in one payload, whatever the Accept header
// (multipart/mixed answers are not built yet). Apollo Client 3 (pinned in
// tests/node), which sends @defer queries with
// `Accept: multipart/mixed;deferSpec=20220824,application/json`, gets the
// whole product page of examples/product_page_deferred.graphql.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireNode, root, startServer, startSim } from './lib.mjs';

let sim, srv;
const { ApolloClient, InMemoryCache, HttpLink, gql } = requireNode('@apollo/client/core');
const example = (name) => ({
  query: readFileSync(join(root, 'examples', `${name}.graphql`), 'utf8'),
  variables: JSON.parse(readFileSync(join(root, 'examples', `${name}.json`), 'utf8')),
});

before(async () => {
  sim = await startSim();
  srv = await startServer({ env: { BFF_PROVIDERS_URL: sim.url } });
});
after(async () => {
  assert.equal((await srv.stop()).code, 0);
  assert.equal(await sim.stop(), 0);
});

const post = async (body, accept = 'application/json') => {
  const res = await fetch(`${srv.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', accept }, body: JSON.stringify(body) });
  return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
};

test('Apollo Client runs the deferred product page and gets all of it', async () => {
  let accept = null;
  const link = new HttpLink({
    uri: `${srv.url}/graphql`,
    fetch: (url, init) => {
      accept = init.headers.accept;
      return fetch(url, init);
    },
  });
  const client = new ApolloClient({ link, cache: new InMemoryCache() });
  const { query, variables } = example('product_page_deferred');
  const r = await client.query({ query: gql(query), variables });
  assert.match(accept, /multipart\/mixed;deferSpec=20220824/, 'Apollo asked for incremental delivery');
  assert.equal(r.errors, undefined);
  const p = r.data.product;
  assert.equal(p.title, 'Linen Backpack');
  assert.ok(p.variants[0].price.amount);
  assert.equal(p.reviews.length, Math.min(3, p.rating.count), 'the deferred reviews are there');
  assert.equal(p.recommendations.length, 4, 'and the deferred recommendations');
  client.stop();
});

test('deferred and streamed parts come inline, equal to the undeferred page', async () => {
  const plain = await post(example('product_page'));
  const deferred = await post(example('product_page_deferred'), 'multipart/mixed;deferSpec=20220824, application/json');
  assert.equal(deferred.status, 200);
  assert.match(deferred.type, /^application\/json/);
  const pick = (p) => ({ title: p.title, reviews: p.reviews, rating: p.rating, recommendations: p.recommendations.map((x) => x.handle) });
  assert.deepEqual(pick(deferred.body.data.product), pick(plain.body.data.product));
  const streamed = await post({ query: '{ product(handle: "linen-backpack-1") { variants @stream(initialCount: 1, label: "v") { sku } } }' });
  assert.equal(streamed.body.errors, undefined);
  assert.ok(streamed.body.data.product.variants.length >= 1);
  // @defer(if: false) and @stream(if: false) are plain fragments and lists
  const off = await post({ query: '{ shop { ... @defer(if: false) { name } } }' });
  assert.equal(off.body.data.shop.name, 'Demo Storefront');
});

test('validation: no defer or stream on a mutation root, stream on lists only, labels static and unique', async () => {
  const codes = async (query, variables) => (await post({ query, variables })).body.errors?.map((e) => e.message);
  assert.deepEqual(await codes('mutation { ... @defer { cartCreate { cart { id } } } }'), [
    'Defer directive cannot be used on root mutation type "Mutation".',
  ]);
  assert.deepEqual(await codes('{ shop { name @stream } }'), ['Directive "@stream" cannot be used on non-list field "Shop.name".']);
  assert.deepEqual(await codes('{ shop { ... @defer(label: "a") { name } ... @defer(label: "a") { currencyCode } } }'), [
    'Value for arguments "defer(label:)" and "stream(label:)" must be unique across all Defer/Stream directive usages.',
  ]);
  assert.deepEqual(await codes('query ($l: String) { shop { ... @defer(label: $l) { name } } }', { l: 'x' }), [
    'Argument "@defer(label:)" must be a static string.',
  ]);
});
