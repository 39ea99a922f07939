// Query cost (graphql/cost.c, @cost and @listSize in the schema): computed
// before any upstream call; over max_query_cost the request is refused with
// MAX_COST_EXCEEDED and its cost.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, startServer, startSim } from './lib.mjs';

let sim, srv;
before(async () => {
  sim = await startSim();
  srv = await startServer({ env: { BFF_PROVIDERS_URL: sim.url }, threads: 1 });
});
after(async () => {
  assert.equal((await srv.stop()).code, 0);
  assert.equal(await sim.stop(), 0);
});

const gql = async (body, headers = {}) => {
  const res = await fetch(`${srv.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, ...(await res.json()) };
};
const example = (name) => ({
  query: readFileSync(join(root, 'examples', `${name}.graphql`), 'utf8'),
  variables: JSON.parse(readFileSync(join(root, 'examples', `${name}.json`), 'utf8')),
});
const requests = async () => {
  const s = await (await fetch(`${sim.url}/_sim/stats`)).json();
  return Object.entries(s).filter(([k]) => !k.startsWith('_')).reduce((n, [, v]) => n + v.requests, 0);
};

test('250 products with 250 variants each is refused with its cost, before any upstream call', async () => {
  await fetch(`${sim.url}/_sim/reset`, { method: 'POST' });
  const r = await gql({ query: '{ products(first: 250) { edges { node { title variants(first: 250) { sku price { amount } } } } } }' });
  assert.equal(r.status, 200);
  assert.equal(r.data, undefined);
  assert.equal(r.errors[0].extensions.code, 'MAX_COST_EXCEEDED');
  assert.equal(r.errors[0].extensions.cost.requestedQueryCost, 1 + 250 * (1 + 1 + 250 * (1 + 1)));
  assert.equal(r.errors[0].extensions.cost.maximumAvailable, 1000);
  assert.equal(await requests(), 0, 'no provider was called');
  const strict = await gql({ query: '{ products(first: 250) { edges { node { variants(first: 250) { sku } } } } }' }, { accept: 'application/graphql-response+json' });
  assert.equal(strict.status, 400);
});

test('the cost follows variables and slicing arguments; the examples are within the limit', async () => {
  const q = 'query($n: Int) { products(first: $n) { edges { node { variants { sku } } } } }';
  const small = await gql({ query: q, variables: { n: 5 } });
  assert.equal(small.errors, undefined, JSON.stringify(small.errors));
  const big = await gql({ query: q, variables: { n: 100 } });
  assert.equal(big.errors[0].extensions.code, 'MAX_COST_EXCEEDED');
  assert.equal(big.errors[0].extensions.cost.requestedQueryCost, 1 + 100 * (1 + 1 + 10 * 1)); // variants: assumedSize 10
  for (const name of ['product_page', 'listing_20', 'cart_totals']) {
    const r = await gql(example(name));
    assert.equal(r.errors, undefined, `${name}: ${JSON.stringify(r.errors)}`);
  }
  const mutation = await gql({ query: 'mutation { a: cartCreate { cart { id } } }' });
  assert.equal(mutation.errors, undefined);
});

test('limits with codes of their own: depth, aliases, root fields, tokens, nesting, document size', async () => {
  const code = async (query) => (await gql({ query })).errors?.[0]?.extensions?.code;
  const nest = (n) => `{ product(id: "p0001") { ${'recommendations(first: 1) { '.repeat(n)}title${' }'.repeat(n)} } }`;
  assert.equal(await code(nest(13)), undefined, '15 fields deep is allowed');
  assert.equal(await code(nest(14)), 'MAX_DEPTH_EXCEEDED');
  assert.equal(await code(`{ shop { ${Array.from({ length: 30 }, (_, i) => `a${i}: name`).join(' ')} } }`), undefined);
  assert.equal(await code(`{ shop { ${Array.from({ length: 31 }, (_, i) => `a${i}: name`).join(' ')} } }`), 'MAX_ALIASES_EXCEEDED');
  assert.equal(await code(`{ ${'shop { name } '.repeat(21)} }`), 'MAX_ROOT_FIELDS_EXCEEDED');
  assert.equal(await code(`{ shop { ${'a '.repeat(21000)} } }`), 'MAX_TOKENS_EXCEEDED');
  assert.equal(await code(`{ shop { ${'currencyCode '.repeat(6000)} } }`), 'DOCUMENT_TOO_LARGE');
  assert.equal(await code(`{ shop(x: ${'['.repeat(100)}${']'.repeat(100)}) { name } }`), 'MAX_DEPTH_EXCEEDED');
  assert.equal(await code('{ shop { name '), 'GRAPHQL_PARSE_FAILED');
});

test('budgets: a client that spends its bucket is throttled with Retry-After, and recovers at the restore rate', async () => {
  const small = await startServer({ env: { BFF_PROVIDERS_URL: sim.url, BFF_TIERS: JSON.stringify({ anonymous: { bucket: 25, restore_per_second: 5 } }) }, threads: 1 });
  try {
    const q = { query: '{ products(first: 5) { edges { node { title } } } }' }; // 1 + 5 x (edge 1 + product 1) = 11
    const post = async () => {
      const res = await fetch(`${small.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(q) });
      return { status: res.status, retryAfter: res.headers.get('retry-after'), ...(await res.json()) };
    };
    // unused points come back: a query whose lists are shorter than assumed pays what it used
    const e = await fetch(`${small.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ search(query: "zzzz", first: 5) { edges { node { title } } } }' }) }).then((r) => r.json());
    assert.equal(e.extensions.cost.requestedQueryCost, 11);
    assert.equal(e.extensions.cost.actualQueryCost, 1);
    assert.ok(e.extensions.cost.throttleStatus.currentlyAvailable >= 23.9, 'it paid 1, not 11');
    const a = await post();
    assert.equal(a.errors, undefined);
    assert.equal(a.extensions.cost.requestedQueryCost, 11);
    assert.equal(a.extensions.cost.actualQueryCost, 11);
    assert.equal(a.extensions.cost.throttleStatus.maximumAvailable, 25);
    assert.equal(a.extensions.cost.throttleStatus.restoreRate, 5);
    const b = await post();
    assert.equal(b.errors, undefined);
    const c = await post();
    assert.equal(c.status, 429);
    assert.equal(c.errors[0].extensions.code, 'THROTTLED');
    assert.ok(Number(c.retryAfter) >= 1 && Number(c.retryAfter) <= 3, `Retry-After ${c.retryAfter}`);
    assert.ok(c.errors[0].extensions.cost.throttleStatus.currentlyAvailable < 11);
    await new Promise((r) => setTimeout(r, 1900)); // 5 points a second: 9.5 more points
    const d = await post();
    assert.equal(d.errors, undefined, JSON.stringify(d.errors));
  } finally {
    assert.equal((await small.stop()).code, 0);
  }
});

test('API keys: stored as hashes; a key names client, channel, tier; a bad key is UNAUTHENTICATED before any upstream call', async () => {
  const { createHash } = await import('node:crypto');
  const sha = (k) => createHash('sha256').update(k).digest('hex');
  const keys = { [sha('pk_partner_acme')]: { client: 'acme', channel: 'partner', tier: 'partner', scopes: ['catalog:read'] } };
  const keyed = await startServer({ env: { BFF_PROVIDERS_URL: sim.url, BFF_API_KEYS: JSON.stringify(keys) }, threads: 1 });
  try {
    await fetch(`${sim.url}/_sim/reset`, { method: 'POST' });
    const call = async (key) => {
      const res = await fetch(`${keyed.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) }, body: JSON.stringify({ query: '{ product(id: "p0001") { title } }' }) });
      return { status: res.status, ...(await res.json()) };
    };
    const ok = await call('pk_partner_acme');
    assert.equal(ok.data.product.title, 'Linen Backpack');
    assert.equal(ok.extensions.cost.throttleStatus.maximumAvailable, 5000, 'the partner tier');
    const before = await requests();
    const bad = await call('pk_partner_acmf');
    assert.equal(bad.status, 401);
    assert.equal(bad.errors[0].extensions.code, 'UNAUTHENTICATED');
    assert.equal(await requests(), before, 'no provider was called');
    const anon = await call(null);
    assert.equal(anon.extensions.cost.throttleStatus.maximumAvailable > 5000, true, 'the tests\' anonymous tier');
    const log = keyed.lines.filter((l) => l.includes('"client":"acme"'));
    assert.ok(log.length >= 1, 'the request log names the key\'s client');
  } finally {
    assert.equal((await keyed.stop()).code, 0);
  }
  const broken = await startServer({ env: { BFF_API_KEYS: JSON.stringify({ 'not-a-hash': { client: 'x', channel: 'web', tier: 'storefront' } }) }, expectFail: true });
  assert.equal(broken.code, 2);
  assert.match(broken.stderr, /SHA-256/);
});
