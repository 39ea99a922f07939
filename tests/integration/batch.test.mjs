// Batched requests: a JSON array body runs each operation on its own (own
// cost, own errors, own log line) and answers an array in order. The real
// client is Apollo Client 3's BatchHttpLink (pinned in tests/node): three
// queries issued together go out as one HTTP request and each gets its own
// result. Also: the bounds (empty, over max_batch_size), an element that is
// not an object, budgets paid per operation, and a client that goes away.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:http2';
import { requireNode, startServer, startSim, sleep } from './lib.mjs';

let sim, srv;
const { ApolloClient, InMemoryCache, gql } = requireNode('@apollo/client/core');
const { BatchHttpLink } = requireNode('@apollo/client/link/batch-http');

before(async () => {
  sim = await startSim();
  srv = await startServer({ env: { BFF_PROVIDERS_URL: sim.url, BFF_MAX_BATCH_SIZE: '5' } });
});
after(async () => {
  assert.equal((await srv.stop()).code, 0);
  assert.equal(await sim.stop(), 0);
});

const post = async (body) => {
  const res = await fetch(`${srv.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
};

test("Apollo Client's BatchHttpLink: three queries in one HTTP request, each with its own result", async () => {
  let requests = 0;
  const counting = (url, init) => {
    requests++;
    assert.ok(Array.isArray(JSON.parse(init.body)), 'a batch is an array');
    return fetch(url, init);
  };
  const client = new ApolloClient({
    link: new BatchHttpLink({ uri: `${srv.url}/graphql`, fetch: counting, batchMax: 10, batchInterval: 20 }),
    cache: new InMemoryCache(),
  });
  const [shop, product, broken] = await Promise.all([
    client.query({ query: gql`query Shop { shop { name } }` }),
    client.query({ query: gql`query P($h: String!) { product(handle: $h) { id title } }`, variables: { h: 'linen-backpack-1' } }),
    client.query({ query: gql`query Missing { product(handle: "no-such-product") { id title } }`, errorPolicy: 'all' }),
  ]);
  assert.equal(requests, 1, 'one HTTP request for the three');
  assert.equal(shop.data.shop.name, 'Demo Storefront');
  assert.equal(product.data.product.title, 'Linen Backpack');
  assert.equal(broken.data.product, null);
  client.stop();
});

test('a batch answers an array in order; each element has its own errors and cost; the bounds are enforced', async () => {
  const r = await post([
    { query: '{ shop { name } }' },
    { query: '{ nope }' },
    5,
    { query: 'query ($h: String!) { product(handle: $h) { title } }', variables: { h: 'linen-backpack-1' } },
  ]);
  assert.equal(r.status, 200);
  assert.match(r.type, /^application\/json/);
  assert.equal(r.body.length, 4);
  assert.equal(r.body[0].data.shop.name, 'Demo Storefront');
  assert.equal(r.body[1].data, undefined);
  assert.equal(r.body[1].errors[0].extensions.code, 'GRAPHQL_VALIDATION_FAILED');
  assert.equal(r.body[2].errors[0].extensions.code, 'BAD_REQUEST');
  assert.equal(r.body[3].data.product.title, 'Linen Backpack');
  assert.equal(r.body[0].extensions.cost.requestedQueryCost, 1);
  const empty = await post([]);
  assert.equal(empty.status, 400);
  assert.match(empty.body.errors[0].message, /empty/);
  const big = await post(new Array(6).fill({ query: '{ __typename }' }));
  assert.equal(big.status, 400);
  assert.match(big.body.errors[0].message, /at most 5/);
  // each operation writes its own log line
  const before = srv.lines.length;
  await post([{ query: 'query BatchA { __typename }' }, { query: 'query BatchB { __typename }' }]);
  let ops = [];
  for (let i = 0; i < 50 && ops.length < 2; ++i) {
    await sleep(20);
    ops = srv.lines.slice(before).map((l) => JSON.parse(l).operation).filter((o) => o === 'BatchA' || o === 'BatchB');
  }
  assert.deepEqual(ops.sort(), ['BatchA', 'BatchB']);
});

test('each operation of a batch pays its own cost from the same budget', async () => {
  const tight = await startServer({
    env: { BFF_PROVIDERS_URL: sim.url, BFF_TIERS: '{"anonymous": {"bucket": 3, "restore_per_second": 0.001}}' },
  });
  try {
    const res = await fetch(`${tight.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(new Array(5).fill({ query: '{ shop { name } }' })),
    });
    const body = await res.json();
    assert.equal(res.status, 200);
    const throttled = body.filter((b) => b.errors?.[0]?.extensions?.code === 'THROTTLED').length;
    assert.equal(body.length - throttled, 3, 'three operations of cost 1 fit a bucket of 3');
  } finally {
    assert.equal((await tight.stop()).code, 0);
  }
});

test('a client that resets a batch before its answer: the operations are cancelled, the server stays up', async () => {
  await fetch(`${sim.url}/_sim/faults`, { method: 'POST', body: JSON.stringify({ reviews: { latency_ms: 200 } }) });
  const session = connect(srv.url);
  const body = JSON.stringify(new Array(3).fill({ query: '{ product(handle: "linen-backpack-1") { reviews(first: 2) { rating } } }' }));
  const stream = session.request({ ':method': 'POST', ':path': '/graphql', 'content-type': 'application/json' });
  stream.on('error', () => {});
  stream.end(body);
  await sleep(30);
  stream.close(0x8);
  await sleep(400);
  session.close();
  await fetch(`${sim.url}/_sim/reset`, { method: 'POST', body: '{}' });
  const r = await post([{ query: '{ __typename }' }]);
  assert.equal(r.body[0].data.__typename, 'Query');
});
