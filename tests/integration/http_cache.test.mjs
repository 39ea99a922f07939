// HTTP caching of public reads: an anonymous GET query without errors whose
// fields all allow it (@cacheControl in the schema) is public with the lowest
// max-age, an ETag and 304 on revalidation, and holds nothing per caller;
// with a key, over POST, with a cart or with an error it stays no-store.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, startServer, startSim, DEMO_CART } from './lib.mjs';

let sim, srv;
const KEY = 'cache-test-key';
before(async () => {
  sim = await startSim();
  const keys = { [createHash('sha256').update(KEY).digest('hex')]: { client: 'web', channel: 'web', tier: 'storefront', scopes: ['cart:read'] } };
  srv = await startServer({ threads: 1, env: { BFF_PROVIDERS_URL: sim.url, BFF_API_KEYS: JSON.stringify(keys), BFF_ANONYMOUS_SCOPES: 'cart:read' } });
});
after(async () => {
  assert.equal((await srv.stop()).code, 0);
  await sim.stop();
});

const page = readFileSync(join(root, 'examples/product_page.graphql'), 'utf8');
const vars = JSON.parse(readFileSync(join(root, 'examples/product_page.json'), 'utf8'));
const get = (query, variables, headers = {}, extensions) => {
  const u = new URL(`${srv.url}/graphql`);
  if (query) u.searchParams.set('query', query);
  if (variables) u.searchParams.set('variables', JSON.stringify(variables));
  if (extensions) u.searchParams.set('extensions', JSON.stringify(extensions));
  return fetch(u, { headers: { 'apollo-require-preflight': 'true', ...headers } });
};

test('an anonymous product page over GET is public, with an ETag and a 304 on revalidation', async () => {
  const r = await get(page, vars);
  assert.equal(r.status, 200);
  const body = await r.json();
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  assert.match(r.headers.get('cache-control'), /^public, max-age=(\d+), stale-while-revalidate=\d+$/);
  const maxAge = Number(r.headers.get('cache-control').match(/max-age=(\d+)/)[1]);
  assert.ok(maxAge > 0 && maxAge <= 60, `max-age ${maxAge}: the lowest of the fields (prices, stock)`);
  const etag = r.headers.get('etag');
  assert.match(etag, /^"[0-9a-f]{32}"$/);
  assert.equal(body.extensions.cost.throttleStatus, undefined, 'no per-caller budget in a shared answer');
  const again = await get(page, vars, { 'if-none-match': etag });
  assert.equal(again.status, 304);
  assert.equal((await again.text()).length, 0);
  // the same answer for another caller: the same ETag
  const other = await get(page, vars);
  assert.equal(other.headers.get('etag'), etag);
  // a catalog-only query lives longer than one with prices
  const shop = await get('{ shop { name } }');
  assert.match(shop.headers.get('cache-control'), /max-age=300/);
});

test('by persisted-query hash over GET: public too', async () => {
  const query = '{ products(first: 2) { edges { node { title } } } }';
  const hash = createHash('sha256').update(query).digest('hex');
  const ext = { persistedQuery: { version: 1, sha256Hash: hash } };
  await fetch(`${srv.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, extensions: ext }) });
  const r = await get(null, null, {}, ext);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('cache-control'), /^public, max-age=300/);
});

test('with a key, over POST, a cart, an error or introspection: no-store', async () => {
  const keyed = await get(page, vars, { 'x-api-key': KEY });
  assert.equal(keyed.headers.get('cache-control'), 'no-store');
  assert.ok((await keyed.json()).extensions.cost.throttleStatus);
  const post = await fetch(`${srv.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: page, variables: vars }) });
  assert.equal(post.headers.get('cache-control'), 'no-store');
  const cart = await get(`{ cart(id: "${DEMO_CART}") { totalQuantity } }`);
  assert.equal(cart.headers.get('cache-control'), 'no-store');
  assert.equal(cart.headers.get('etag'), null);
  const mixed = await get(`{ shop { name } cart(id: "${DEMO_CART}") { id } }`);
  assert.equal(mixed.headers.get('cache-control'), 'no-store', 'one private field makes the whole answer private');
  const error = await get('{ product(handle: "no-such-product") { title reviews { rating } } nope }');
  assert.equal(error.headers.get('cache-control'), 'no-store');
  const intro = await get('{ __schema { queryType { name } } }');
  assert.equal(intro.headers.get('cache-control'), 'no-store');
});
