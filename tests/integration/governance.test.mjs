// Deprecation tracking: each execution counts the deprecated elements it
// used, per client name and version; /admin/deprecations (admin key) reports
// them with reason, removal date, count and clients; a client may ask to be
// told in extensions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startServer, startSim } from './lib.mjs';

let sim, srv;
const ADMIN = 'admin-secret-for-tests';
before(async () => {
  sim = await startSim();
  srv = await startServer({ env: { BFF_PROVIDERS_URL: sim.url, BFF_ADMIN_KEY_SHA256: createHash('sha256').update(ADMIN).digest('hex') }, threads: 2 });
});
after(async () => {
  assert.equal((await srv.stop()).code, 0);
  assert.equal(await sim.stop(), 0);
});

const gql = async (query, headers = {}, extensions) => {
  const res = await fetch(`${srv.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, extensions }) });
  return res.json();
};

test('two named clients use deprecated fields; /admin/deprecations shows counts and both clients; without the key it is refused', async () => {
  const web = { 'x-client-name': 'web-shop', 'x-client-version': '1.2.0' };
  const ios = { 'apollographql-client-name': 'ios-app', 'apollographql-client-version': '3.0' };
  for (let i = 0; i < 3; i++) await gql('{ product(id: "p0001") { brand title } }', web);
  await gql('{ shop { currency } product(id: "p0002") { brand } }', ios);
  await gql('{ product(id: "p0003") { vendor } }', web); // nothing deprecated
  const refused = await fetch(`${srv.url}/admin/deprecations`);
  assert.equal(refused.status, 401);
  const wrong = await fetch(`${srv.url}/admin/deprecations`, { headers: { 'x-admin-key': 'guess' } });
  assert.equal(wrong.status, 401);
  const res = await fetch(`${srv.url}/admin/deprecations`, { headers: { 'x-admin-key': ADMIN } });
  assert.equal(res.status, 200);
  const report = (await res.json()).deprecations;
  const by = Object.fromEntries(report.map((d) => [d.coordinate, d]));
  assert.deepEqual(Object.keys(by).sort(), ['Product.brand', 'ProductVariant.stock', 'Shop.currency']);
  assert.equal(by['Product.brand'].count, 4);
  assert.equal(by['Product.brand'].removalDate, '2027-06-30');
  assert.match(by['Product.brand'].reason, /Use `vendor`/);
  const clients = by['Product.brand'].clients.map((c) => `${c.name}@${c.version}:${c.count}`).sort();
  assert.deepEqual(clients, ['ios-app@3.0:1', 'web-shop@1.2.0:3']);
  for (const c of by['Product.brand'].clients) assert.ok(Date.now() - Date.parse(c.lastSeen) < 60000);
  assert.equal(by['Shop.currency'].count, 1);
  assert.equal(by['ProductVariant.stock'].count, 0);
  assert.deepEqual(by['ProductVariant.stock'].clients, []);
});

test('a client can ask which deprecated elements its query used', async () => {
  const r = await gql('{ shop { currency name } product(id: "p0001") { brand variants { stock } } }', { 'x-report-deprecations': 'true' });
  assert.deepEqual(r.extensions.deprecations.map((d) => d.coordinate).sort(), ['Product.brand', 'ProductVariant.stock', 'Shop.currency']);
  const viaExtension = await gql('{ shop { currency } }', {}, { reportDeprecations: true });
  assert.deepEqual(viaExtension.extensions.deprecations, [{ coordinate: 'Shop.currency', reason: 'Use `currencyCode`. Removal after 2027-06-30.' }]);
  const quiet = await gql('{ shop { currency } }');
  assert.equal(quiet.extensions.deprecations, undefined);
});

test('scopes: without customers:read a partner cannot read customers, nor see them in introspection; anonymous callers reach the public catalog only', async () => {
  const sha = (k) => createHash('sha256').update(k).digest('hex');
  const keys = {
    [sha('pk_partner_catalog')]: { client: 'catalog-partner', channel: 'partner', tier: 'partner', scopes: ['orders:read'] },
    [sha('pk_partner_crm')]: { client: 'crm-partner', channel: 'partner', tier: 'partner', scopes: ['customers:read'] },
  };
  const s = await startServer({ env: { BFF_PROVIDERS_URL: sim.url, BFF_API_KEYS: JSON.stringify(keys), BFF_ANONYMOUS_SCOPES: '' }, threads: 1 });
  try {
    await fetch(`${sim.url}/_sim/reset`, { method: 'POST' });
    const call = async (key, query) => {
      const res = await fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) }, body: JSON.stringify({ query }) });
      return { status: res.status, ...(await res.json()) };
    };
    const customer = '{ customer(token: "demo-customer-token") { email addresses { city } } }';
    const denied = await call('pk_partner_catalog', customer);
    assert.equal(denied.data, undefined);
    assert.equal(denied.errors[0].extensions.code, 'FORBIDDEN');
    assert.match(denied.errors[0].message, /customers:read/);
    const stats = await (await fetch(`${sim.url}/_sim/stats`)).json();
    assert.equal(stats.customers.requests, 0, 'refused before any upstream call');
    const allowed = await call('pk_partner_crm', customer);
    assert.equal(allowed.data.customer.email, 'demo@example.test');
    // introspection: each partner sees its own contract of the schema
    const intro = '{ __schema { types { name } } q: __type(name: "Query") { fields { name } } c: __type(name: "Customer") { name } }';
    const seen = await call('pk_partner_catalog', intro);
    const names = seen.data.__schema.types.map((t) => t.name);
    assert.ok(!names.includes('Customer') && !names.includes('MailingAddress'));
    assert.ok(names.includes('Order') && names.includes('Product'));
    assert.ok(!seen.data.q.fields.some((f) => f.name === 'customer'));
    assert.equal(seen.data.c, null);
    const crm = await call('pk_partner_crm', intro);
    assert.ok(crm.data.__schema.types.some((t) => t.name === 'Customer'));
    assert.equal(crm.data.c.name, 'Customer');
    // anonymous: the catalog, not carts, orders or customers
    const anonCatalog = await call(null, '{ product(id: "p0001") { title } }');
    assert.equal(anonCatalog.data.product.title, 'Linen Backpack');
    for (const q of ['{ cart(id: "gid://bff/Cart/demo-cart-1?key=4ab7d738f975608f81c3f3c63e1e1ae3") { id } }', 'mutation { cartCreate { cart { id } } }', '{ node(id: "gid://bff/Order/ord_1") { ... on Order { number } } }']) {
      const r = await call(null, q);
      assert.equal(r.errors[0].extensions.code, 'FORBIDDEN', q);
    }
  } finally {
    assert.equal((await s.stop()).code, 0);
  }
});

test('trusted documents: a partner held to the manifest runs only its documents; storefronts may register documents (APQ)', async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const sha = (t) => createHash('sha256').update(t).digest('hex');
  const listing = 'query PartnerListing { products(first: 3) { edges { node { title } } } }';
  const dir = mkdtempSync(join(tmpdir(), 'bff-trusted-'));
  const manifest = join(dir, 'manifest.json');
  writeFileSync(manifest, JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations: [{ id: sha(listing), name: 'PartnerListing', type: 'query', body: listing }] }));
  const keys = { [sha('pk_trusted')]: { client: 'trusted-partner', channel: 'partner', tier: 'partner', scopes: [], trusted_documents_only: true } };
  const s = await startServer({ env: { BFF_PROVIDERS_URL: sim.url, BFF_API_KEYS: JSON.stringify(keys), BFF_PERSISTED_DOCUMENTS: manifest }, threads: 1 });
  try {
    const post = async (body, key) => {
      const res = await fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) }, body: JSON.stringify(body) });
      return { status: res.status, ...(await res.json()) };
    };
    const pq = (hash) => ({ persistedQuery: { version: 1, sha256Hash: hash } });
    const byHash = await post({ extensions: pq(sha(listing)) }, 'pk_trusted');
    assert.equal(byHash.data.products.edges.length, 3);
    const byText = await post({ query: listing }, 'pk_trusted');
    assert.equal(byText.data.products.edges.length, 3);
    await fetch(`${sim.url}/_sim/reset`, { method: 'POST' });
    const other = await post({ query: '{ products(first: 3) { edges { node { title vendor } } } }' }, 'pk_trusted');
    assert.equal(other.status, 403);
    assert.equal(other.errors[0].extensions.code, 'TRUSTED_DOCUMENT_REQUIRED');
    const unknown = await post({ extensions: pq(sha('{ shop { name } }')) }, 'pk_trusted');
    assert.equal(unknown.errors[0].extensions.code, 'TRUSTED_DOCUMENT_REQUIRED');
    const stats = await (await fetch(`${sim.url}/_sim/stats`)).json();
    assert.equal(stats.catalog.requests, 0, 'refused before any upstream call');
    // APQ for a storefront (anonymous here): unknown hash, then registration, then the hash alone
    const doc = '{ shop { name currencyCode } }';
    const first = await post({ extensions: pq(sha(doc)) });
    assert.equal(first.errors[0].extensions.code, 'PERSISTED_QUERY_NOT_FOUND');
    const register = await post({ query: doc, extensions: pq(sha(doc)) });
    assert.equal(register.data.shop.currencyCode, 'EUR');
    const again = await post({ extensions: pq(sha(doc)) });
    assert.equal(again.data.shop.currencyCode, 'EUR');
    const mismatch = await post({ query: doc, extensions: pq(sha('something else')) });
    assert.equal(mismatch.status, 400);
    const get = await fetch(`${s.url}/graphql?extensions=${encodeURIComponent(JSON.stringify(pq(sha(doc))))}`, { headers: { 'apollo-require-preflight': 'true' } }).then((r) => r.json());
    assert.equal(get.data.shop.currencyCode, 'EUR', 'APQ over GET, cacheable by URL');
  } finally {
    assert.equal((await s.stop()).code, 0);
    rmSync(dir, { recursive: true, force: true });
  }
  const badDir = mkdtempSync(join(tmpdir(), 'bff-trusted-'));
  const bad = join(badDir, 'manifest.json');
  writeFileSync(bad, JSON.stringify({ operations: [{ id: 'a'.repeat(64), body: '{ shop { name } }' }] }));
  const refused = await startServer({ env: { BFF_PERSISTED_DOCUMENTS: bad }, expectFail: true });
  rmSync(badDir, { recursive: true, force: true });
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /not the SHA-256 of its body/);
});
