// Guards that hold for every document: scopes through any fragment fan-out,
// limits and cost that cannot be walked around, caches and records with a
// byte bound, inputs checked before any provider call. Each test replays an
// attack that once worked and checks the refusal and, from the simulator's
// counters, that no provider was reached for it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { readFileSync } from 'node:fs';
import { startStack, fanOut, sha256, ADMIN, SCOPED_PROVIDERS, sleep, sealId, DEMO_CART } from './lib.mjs';

let st;
before(async () => {
  // anonymous callers reach the catalog only; "shopper" has every scope
  st = await startStack({ keys: { shopper: ['cart:read', 'cart:write', 'checkout:write', 'orders:read', 'customers:read'] } });
});
after(async () => assert.equal((await st.stop()).code, 0));

async function scopedCalls() {
  const c = await st.calls();
  return Object.keys(SCOPED_PROVIDERS).map((p) => c[p]);
}

test('auth bypass: a scoped field behind any fragment fan-out is FORBIDDEN and no scoped provider is called', async () => {
  const before = await scopedCalls();
  const docs = [
    // the reported shape: Shop fan-out of 17 levels, then the cart at the root
    `query Q { shop { ...S0 } cart(id: "demo-cart-1") { buyerIdentity { email } } }\n${fanOut('Shop', 17, 'name', 'S')}`,
    // the cart at the end of a Query fan-out, 30 levels (2^30 spreads if followed naively)
    `query Q { ...Q0 }\n${fanOut('Query', 30, 'cart(id: "demo-cart-1") { buyerIdentity { email address { line1 } } }', 'Q')}`,
    // order and customer at the end, through inline fragments
    `query Q { ...Q0 }\n${fanOut('Query', 24, '... on Query { order(id: "ord_1") { total { amount } } customer(token: "demo-customer-token") { email } }', 'Q')}`,
    // aliases inside the fan-out
    `query Q { ...Q0 }\n${fanOut('Query', 20, 'c1: cart(id: "demo-cart-1") { id } c2: cart(id: "demo-cart-2") { id }', 'Q')}`,
    // a scoped type reached through an interface fragment
    `query Q { node(id: "gid://bff/Order/ord_1") { ...N0 } }\n${fanOut('Node', 20, '... on Order { total { amount } }', 'N')}`,
    // a fan-out inside a nested selection, the scoped field far down
    `query Q { products(first: 1) { edges { node { ...P0 } } } cart(id: "demo-cart-1") { id } }\n${fanOut('Product', 22, 'id', 'P')}`,
  ];
  for (const doc of docs) {
    const t0 = Date.now();
    const r = await st.gql(doc);
    assert.ok(Date.now() - t0 < 2000, `answered in ${Date.now() - t0} ms`);
    assert.equal(r.data, undefined, doc.slice(0, 80));
    assert.ok(r.errors.length > 0 && r.errors.every((e) => e.extensions.code === 'FORBIDDEN'), JSON.stringify(r.errors));
  }
  assert.deepEqual(await scopedCalls(), before);
});

test('node(id:) and nodes(ids:) of a protected type answer null without a provider call for a caller who may not read it', async () => {
  const before = await scopedCalls();
  const ids = [sealId('Order', 'ord_1'), sealId('Order', 'ord_2')];
  const one = await st.gql('query($id: ID!) { node(id: $id) { id __typename } }', { id: ids[0] });
  assert.equal(one.errors, undefined, JSON.stringify(one.errors));
  assert.equal(one.data.node, null);
  const many = await st.gql('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids });
  assert.equal(many.errors, undefined, JSON.stringify(many.errors));
  assert.deepEqual(many.data.nodes, [null, null]);
  assert.deepEqual(await scopedCalls(), before);
});

test('limits through fan-out: aliases and root fields are counted where fragments are spread, refused with their code', async () => {
  const aliases = await st.gql(`query Q { shop { ...S0 } }\n${fanOut('Shop', 20, 'a: name', 'S')}`);
  assert.equal(aliases.errors[0].extensions.code, 'MAX_ALIASES_EXCEEDED', JSON.stringify(aliases.errors));
  assert.match(aliases.errors[0].message, /1048576 aliases/);
  const roots = await st.gql(`query Q { ...R0 }\n${fanOut('Query', 25, 'shop { name }', 'R')}`);
  assert.equal(roots.errors[0].extensions.code, 'MAX_ROOT_FIELDS_EXCEEDED', JSON.stringify(roots.errors));
  // a 2^40 fan-out of cost: refused by cost, with a saturated count, at once
  const cost = await st.gql(`query Q { ...C0 }\n${fanOut('Query', 40, 'p: products(first: 10) { edges { node { id } } }', 'C')}`);
  assert.ok(['MAX_COST_EXCEEDED', 'MAX_ALIASES_EXCEEDED', 'MAX_ROOT_FIELDS_EXCEEDED'].includes(cost.errors[0].extensions.code));
});

test('cost from coerced variables: 250.0 for an Int costs what 250 costs, and is refused the same way', async () => {
  const q = 'query($n: Int) { products(first: $n) { edges { node { id variants(first: 250) { sku } } } } }';
  const asInt = await st.gql(q, { n: 250 });
  const asFloat = await st.gql(q, { n: 250.0 });
  const raw = await fetch(`${st.srv.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: `{"query": ${JSON.stringify(q)}, "variables": {"n": 250.0}}`, // the literal text 250.0, not JSON.stringify's 250
  }).then((r) => r.json());
  for (const r of [asInt, asFloat, raw]) {
    assert.equal(r.errors[0].extensions.code, 'MAX_COST_EXCEEDED', JSON.stringify(r));
    assert.equal(r.errors[0].extensions.cost.requestedQueryCost, asInt.errors[0].extensions.cost.requestedQueryCost);
  }
  // a default from the variable definition counts too
  const def = await st.gql('query($n: Int = 250) { products(first: $n) { edges { node { id variants(first: 250) { sku } } } } }');
  assert.equal(def.errors[0].extensions.code, 'MAX_COST_EXCEEDED');
});

test('mutation cost counts root fields reached through fragments', async () => {
  const direct = await st.gql('mutation { cartCreate { cart { id } } }', undefined, { key: 'shopper' });
  const viaFragment = await st.gql('mutation { ...M } fragment M on Mutation { cartCreate { cart { id } } }', undefined, { key: 'shopper' });
  assert.equal(direct.errors, undefined, JSON.stringify(direct.errors));
  assert.equal(viaFragment.extensions.cost.requestedQueryCost, direct.extensions.cost.requestedQueryCost);
});

test('APQ registers a document only after every check passed', async () => {
  const refusedDocs = [
    '{ cart(id: "demo-cart-1") { id } }', // FORBIDDEN for anonymous
    '{ products(first: 250) { edges { node { variants(first: 250) { sku } } } } }', // over the cost limit
    '{ nope }', // invalid
    `{ ${'a: shop { name } '.repeat(40)} }`, // too many aliases
  ];
  for (const query of refusedDocs) {
    const hash = sha256(query);
    const ext = { persistedQuery: { version: 1, sha256Hash: hash } };
    const first = await st.gql(query, undefined, { extensions: ext });
    assert.ok(first.errors?.length > 0, query);
    const again = await st.gql(undefined, undefined, { extensions: ext });
    assert.equal(again.errors[0].extensions.code, 'PERSISTED_QUERY_NOT_FOUND', `${query}: ${JSON.stringify(again)}`);
  }
  const good = '{ shop { name } }';
  const ext = { persistedQuery: { version: 1, sha256Hash: sha256(good) } };
  assert.equal((await st.gql(good, undefined, { extensions: ext })).data.shop.name, 'Demo Storefront');
  assert.equal((await st.gql(undefined, undefined, { extensions: ext })).data.shop.name, 'Demo Storefront');
});

test('input limits: long, NUL-bearing or odd ids, handles and tokens are INVALID_INPUT before any provider call', async () => {
  const before = await st.calls();
  const cases = [
    ['query($h: String) { product(handle: $h) { id } }', { h: 'x'.repeat(300000) }, undefined, 'product'],
    ['query($id: ID) { product(id: $id) { id } }', { id: 'p'.repeat(900000) }, undefined, 'product'],
    ['{ cart(id: "demo-cart-1\\u0000x") { id } }', undefined, 'shopper', 'cart'],
    ['{ cart(id: "demo cart 1") { id } }', undefined, 'shopper', 'cart'],
    ['{ customer(token: "tok\\nX-Injected: 1") { id } }', undefined, 'shopper', 'customer'],
  ];
  for (const [q, v, key, field] of cases) {
    const r = await st.gql(q, v, { key });
    assert.equal(r.data?.[field], null, q.slice(0, 60));
    assert.equal(r.errors[0].extensions.code, 'INVALID_INPUT', `${q.slice(0, 60)}: ${JSON.stringify(r.errors)}`);
  }
  const after = await st.calls();
  for (const p of ['catalog', 'carts', 'customers']) assert.equal(after[p], before[p], p);
});

test('operation names and client names are bounded in metrics, logs and usage records', async () => {
  const long = 'Op' + 'x'.repeat(60000);
  const r = await st.gql(`query ${long} { shop { currency } }`, undefined, { operationName: long, headers: { 'x-client-name': 'c'.repeat(5000) } });
  assert.equal(r.errors, undefined);
  const metrics = await (await fetch(`${st.srv.url}/metrics`)).text();
  assert.ok(!metrics.includes('xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'), 'a 60 KB operation name is no label');
  assert.match(metrics, /bff_http_requests_total\{operation="other"/);
  await sleep(100);
  const line = st.srv.lines.find((l) => l.includes('"operation":"Opxxx'));
  assert.ok(line, 'the request was logged');
  assert.ok(line.length < 2000, `log line of ${line.length} bytes`);
  const report = await (await fetch(`${st.srv.url}/admin/deprecations`, { headers: { 'x-admin-key': ADMIN } })).json();
  const names = report.deprecations.flatMap((d) => d.clients.map((c) => c.name));
  assert.ok(names.length > 0 && names.every((n) => n.length <= 64), JSON.stringify(names).slice(0, 200));
});

test('deprecation usage keeps at most usage_max_clients client pairs, evicting the least recently seen', async () => {
  const s = await startStack({ env: { BFF_USAGE_MAX_CLIENTS: '5' } });
  try {
    for (let i = 0; i < 40; i++)
      await s.gql('{ shop { currency } }', undefined, { headers: { 'x-client-name': `client-${i}`, 'x-client-version': `${i}.0` } });
    const report = await (await fetch(`${s.srv.url}/admin/deprecations`, { headers: { 'x-admin-key': ADMIN } })).json();
    const shopCurrency = report.deprecations.find((d) => d.coordinate === 'Shop.currency');
    assert.equal(shopCurrency.count, 40);
    assert.equal(shopCurrency.clients.length, 5);
    assert.deepEqual(shopCurrency.clients.map((c) => c.name).sort(), ['client-35', 'client-36', 'client-37', 'client-38', 'client-39']);
    assert.equal(report.clientPairsEvicted, 35);
  } finally {
    await s.stop();
  }
});

test('one address cannot hold every connection slot: max_connections_per_address', async () => {
  const s = await startStack({ env: { BFF_MAX_CONNECTIONS_PER_ADDRESS: '3' } });
  const sessions = [];
  try {
    const ask = (c) =>
      new Promise((resolve) => {
        const req = c.request({ ':method': 'POST', ':path': '/graphql', 'content-type': 'application/json' });
        let body = '';
        req.on('data', (d) => (body += d));
        req.on('end', () => resolve(body));
        req.on('error', () => resolve(null));
        req.end(JSON.stringify({ query: '{ __typename }' }));
      });
    for (let i = 0; i < 3; i++) {
      const c = http2.connect(s.srv.url);
      c.on('error', () => {});
      sessions.push(c);
      assert.match(await ask(c), /Query/);
    }
    const fourth = http2.connect(s.srv.url);
    fourth.on('error', () => {});
    sessions.push(fourth);
    assert.doesNotMatch((await ask(fourth)) ?? '', /Query/, 'the fourth connection is closed');
    sessions[0].close();
    await sleep(200);
    const fifth = http2.connect(s.srv.url);
    fifth.on('error', () => {});
    sessions.push(fifth);
    assert.match(await ask(fifth), /Query/, 'a slot comes back when a connection closes');
    for (const c of sessions) c.destroy();
    await sleep(200);
    const m = await (await fetch(`${s.srv.url}/metrics`)).text();
    assert.match(m, /bff_connections_refused_per_address_total [1-9]/);
  } finally {
    for (const c of sessions) c.destroy();
    await s.stop();
  }
});

test('the document cache and APQ are bounded by bytes: RSS stays flat while they are filled with the largest documents', async () => {
  // under AddressSanitizer freed memory waits in a quarantine (256 MB by default): keep it small so RSS means what it says
  const asan = process.env.ASAN_OPTIONS ? { ASAN_OPTIONS: `${process.env.ASAN_OPTIONS}:quarantine_size_mb=4` } : {};
  const s = await startStack({ env: { BFF_DOC_CACHE_BYTES: '4194304', BFF_APQ_MAX_BYTES: '2097152', BFF_LOG_REQUESTS: 'false', ...asan } });
  const rss = () => Number(readFileSync(`/proc/${s.srv.proc.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]) * 1024;
  try {
    // a document of ~15,000 strings under the 64 KB limit: each string once held the rest of the document
    const doc = (i) => `query Q${i} { nodes(ids: [${Array.from({ length: 15000 }, () => '"a"').join(',')}]) { id } }`;
    assert.ok(doc(0).length < 65536);
    for (let i = 0; i < 10; i++) await s.gql(doc(i)); // warm up
    const start = rss();
    for (let i = 10; i < 210; i++) {
      const query = doc(i);
      await s.gql(query, undefined, { extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } } });
    }
    const grown = rss() - start;
    // 200 documents of 60 KB: without the bounds the cache alone kept gigabytes (a 64 MB string table each)
    assert.ok(grown < 24 * 1024 * 1024, `RSS grew ${(grown / 1048576).toFixed(1)} MB`);
  } finally {
    await s.stop();
  }
});

test('carts and orders belong to whoever holds their id: a sequential or forged id reads nothing and calls no provider', async () => {
  const before = await st.calls();
  const shopper = { key: 'shopper' };
  const forged = [
    'demo-cart-1', // the provider's id alone
    'gid://bff/Cart/demo-cart-1', // no key
    sealId('Cart', 'demo-cart-1', 'another-key-that-is-not-the-servers-key'), // a key made with another secret
    DEMO_CART.replace(/.$/, (c) => (c === '0' ? '1' : '0')), // one digit off
    sealId('Order', 'demo-cart-1'), // an order's key on a cart id
  ];
  for (const id of forged) {
    const r = await st.gql('query($id: ID!) { cart(id: $id) { id buyerIdentity { email } } }', { id }, shopper);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    assert.equal(r.data.cart, null, id);
    const m = await st.gql('mutation($id: ID!) { cartLinesAdd(cartId: $id, lines: [{sku: "SKU-0001-1", quantity: 1}]) { cart { id } userErrors { code } } }', { id }, shopper);
    assert.equal(m.data.cartLinesAdd.userErrors[0].code, 'NOT_FOUND', id);
    const c = await st.gql('mutation($id: ID!) { checkoutComplete(cartId: $id, paymentToken: "tok_ok", idempotencyKey: "forged-key-1") { order { id } userErrors { code } } }', { id }, shopper);
    assert.equal(c.data.checkoutComplete.userErrors[0].code, 'NOT_FOUND', id);
  }
  for (const id of ['ord_1', 'gid://bff/Order/ord_1', sealId('Order', 'ord_1', 'another-key-that-is-not-the-servers-key')]) {
    const r = await st.gql('query($id: ID!) { order(id: $id) { number } node(id: $id) { id } }', { id }, shopper);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    assert.deepEqual(r.data, { order: null, node: null }, id);
  }
  const after = await st.calls();
  for (const p of ['carts', 'orders', 'payments']) assert.equal(after[p], before[p], p);
  // the real thing: a new cart's id carries its key and opens; the order checkout gives opens too
  const created = await st.gql('mutation { cartCreate(input: {lines: [{sku: "SKU-0001-1", quantity: 1}]}) { cart { id } } }', undefined, shopper);
  const id = created.data.cartCreate.cart.id;
  assert.match(id, /^gid:\/\/bff\/Cart\/[A-Za-z0-9_-]+\?key=[0-9a-f]{32}$/);
  const read = await st.gql('query($id: ID!) { cart(id: $id) { id totalQuantity } }', { id }, shopper);
  assert.deepEqual(read.data.cart, { id, totalQuantity: 1 });
  const bare = id.slice('gid://bff/Cart/'.length, id.indexOf('?'));
  assert.equal((await st.gql('query($id: ID!) { cart(id: $id) { id } }', { id: bare }, shopper)).data.cart, null);
});
