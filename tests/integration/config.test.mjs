// Start-up refuses bad settings with a message naming the setting, and
// shuts down gracefully.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root, startServer, startSim, postJson, sleep } from './lib.mjs';

function tempConfig(obj) {
  const dir = mkdtempSync(join(tmpdir(), 'bff-cfg-'));
  const p = join(dir, 'config.json');
  writeFileSync(p, typeof obj === 'string' ? obj : JSON.stringify(obj));
  return { path: p, dir };
}

test('an unknown setting in the config file stops start-up, naming it', async () => {
  const c = tempConfig({ threads: 1, max_conections: 5 });
  const r = await startServer({ args: ['--config', c.path], expectFail: true });
  rmSync(c.dir, { recursive: true });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown setting "max_conections"/);
});

test('bad values stop start-up, naming the setting', async () => {
  let r = await startServer({ env: { BFF_MAX_BODY_BYTES: 'lots' }, expectFail: true });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /max_body_bytes/);
  const c = tempConfig({ idle_timeout_ms: '60s' });
  r = await startServer({ args: ['--config', c.path], expectFail: true });
  rmSync(c.dir, { recursive: true });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /"idle_timeout_ms" must be an integer/);
  const bad = tempConfig('{"threads": 1,');
  r = await startServer({ args: ['--config', bad.path], expectFail: true });
  rmSync(bad.dir, { recursive: true });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /config\.json:/);
  r = await startServer({ env: { BFF_TLS_CERT: '/nonexistent.pem' }, expectFail: true });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /tls_cert/);
  // a ratio: a number from 0 to 1, in the environment as in the file
  for (const v of ['1.5', '-0.1', 'half', 'nan', '']) {
    r = await startServer({ env: { BFF_TRACE_SAMPLE_RATIO: v }, expectFail: true });
    assert.equal(r.code, 2, v);
    assert.match(r.stderr, /"trace_sample_ratio" must be a number from 0 to 1/, v);
  }
  for (const v of ['"0.5"', '2', 'true']) {
    const f = tempConfig(`{"trace_sample_ratio": ${v}}`);
    r = await startServer({ args: ['--config', f.path], expectFail: true });
    rmSync(f.dir, { recursive: true });
    assert.equal(r.code, 2, v);
    assert.match(r.stderr, /"trace_sample_ratio" must be a number from 0 to 1/, v);
  }
  const ok = tempConfig('{"trace_sample_ratio": 0.25, "otlp_endpoint": "http://127.0.0.1:1"}');
  const srv = await startServer({ args: ['--config', ok.path] });
  assert.equal((await srv.stop()).code, 0);
  rmSync(ok.dir, { recursive: true });
});

test('an invalid schema stops start-up with the schema error', async () => {
  const c = tempConfig('type Query { a: Nope }');
  const r = await startServer({ env: { BFF_SCHEMA: c.path }, expectFail: true });
  rmSync(c.dir, { recursive: true });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Unknown type "Nope"/);
});

test('the config file applies, and the environment overrides it', async () => {
  const c = tempConfig({ shop_name: 'From File', shop_currency: 'GBP' });
  const s = await startServer({ args: ['--config', c.path], env: { BFF_SHOP_CURRENCY: 'JPY' }, threads: 1 });
  try {
    const r = postJson(`${s.url}/graphql`, { query: '{ shop { name currencyCode } }' });
    assert.deepEqual(JSON.parse(r.body).data, { shop: { name: 'From File', currencyCode: 'JPY' } });
  } finally {
    assert.equal((await s.stop()).code, 0);
    rmSync(c.dir, { recursive: true });
  }
});

test('per provider: base URL, auth header and timeout from the "providers" setting', async () => {
  const sim = await startSim();
  const simPost = (path, body) => fetch(sim.url + path, { method: 'POST', body: JSON.stringify(body) });
  const c = tempConfig({
    providers_url: sim.url,
    providers: {
      pricing: { auth_header: 'X-Api-Key: k-pricing-1', timeout_ms: 150 },
      reviews: { url: 'http://127.0.0.1:1/' },
    },
  });
  const s = await startServer({ args: ['--config', c.path], threads: 1 });
  try {
    await simPost('/_sim/reset', {});
    const gql = async (query) => (await fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })).json();
    const r = await gql('{ product(id: "p0002") { title variants { price { amount } } reviews { rating } } }');
    assert.ok(r.data.product.title.length > 0);
    assert.match(r.data.product.variants[0].price.amount, /^\d+\.\d\d$/);
    assert.equal(r.data.product.reviews, null, 'reviews go to their own (closed) address');
    assert.equal(r.errors[0].extensions.dependency, 'reviews');
    const stats = await (await fetch(`${sim.url}/_sim/stats`)).json();
    assert.equal(stats.pricing.api_key, 'k-pricing-1', 'pricing gets its key');
    assert.equal(stats.catalog.api_key, null, 'and only pricing');
    assert.equal(stats.reviews.requests, 0);
    await simPost('/_sim/faults', { pricing: { latency_ms: 1000 } });
    const t0 = performance.now();
    const slow = await gql('{ product(id: "p0002") { title variants { price { amount } } } }');
    const took = performance.now() - t0;
    assert.equal(slow.errors[0].extensions.code, 'DEPENDENCY_TIMEOUT');
    assert.ok(took < 900, `pricing's own 150 ms timeout applies, not the 2 s default (${took.toFixed(0)} ms)`);
  } finally {
    assert.equal((await s.stop()).code, 0);
    assert.equal(await sim.stop(), 0);
    rmSync(c.dir, { recursive: true });
  }
});

test('bad provider settings stop start-up, naming the provider', async () => {
  const cases = [
    [{ providers: { pricng: { timeout_ms: 100 } } }, /"pricng" is not a provider/],
    [{ providers: { tax: { timeout_ms: 5 } } }, /"tax" timeout_ms must be/],
    [{ providers: { tax: { url: 'ftp://x' } } }, /"tax" url must be/],
    [{ providers: { tax: { auth_header: 'X-Key: a\r\nX-Evil: 1' } } }, /"tax" auth_header must be one header line/],
    [{ providers: { tax: { retries: 3 } } }, /"tax" has an unknown key/],
    [{ providers: [] }, /"providers" must be an object/],
  ];
  for (const [cfg, want] of cases) {
    const c = tempConfig(cfg);
    const r = await startServer({ args: ['--config', c.path], expectFail: true });
    rmSync(c.dir, { recursive: true });
    assert.equal(r.code, 2, JSON.stringify(cfg));
    assert.match(r.stderr, want);
  }
  const r = await startServer({ env: { BFF_PROVIDERS: '{"orders": ' }, expectFail: true });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /BFF_PROVIDERS: setting "providers" must be a JSON object/);
});

test('a schema field with neither a resolver nor a default stops start-up, naming it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bff-schema-'));
  const extra = join(dir, 'extra.graphql');
  const schema = join(root, 'schema', 'commerce.graphql');
  for (const [sdl, name] of [
    ['extend type Query { "New." giftCards: [String!] }', 'Query.giftCards'],
    ['extend type Product { "New." weight: Int }', 'Product.weight'],
  ]) {
    writeFileSync(extra, sdl);
    const r = await startServer({ env: { BFF_SCHEMA: `${schema},${extra}` }, expectFail: true });
    assert.equal(r.code, 2, sdl);
    assert.match(r.stderr, new RegExp(`${name.replace('.', '\\.')} has neither a resolver nor a default`));
  }
  rmSync(dir, { recursive: true });
});

test('SIGTERM and SIGINT: exit 0 promptly, logging the shutdown', async () => {
  for (const sig of ['SIGTERM', 'SIGINT']) {
    const s = await startServer();
    assert.equal(postJson(`${s.url}/graphql`, { query: '{ __typename }' }).status, 200);
    const t0 = Date.now();
    const r = await s.stop(sig);
    assert.equal(r.code, 0, sig);
    assert.ok(Date.now() - t0 < 5000, `${sig} took ${Date.now() - t0} ms`);
    assert.ok(s.lines.some((l) => l.includes('"msg":"shutting down"')));
    assert.ok(s.lines.some((l) => l.includes('"msg":"stopped"')));
  }
});
