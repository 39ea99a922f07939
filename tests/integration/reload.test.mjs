// Hot reload on SIGHUP: a key added and one removed take effect without a
// dropped request (h2load runs across the reload: 0 failed), and a broken
// config is refused with a log line naming the setting while the old one
// keeps serving. Provider settings reload too: auth headers, and the
// workers' bulkheads, whose calls in flight carry over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, sleep, startServer, startSim } from './lib.mjs';

const sha = (s) => createHash('sha256').update(s).digest('hex');
const client = (name) => ({ client: name, channel: 'web', tier: 'storefront', scopes: [] });

test('SIGHUP reloads keys without dropping a request; a broken config is refused and the old one serves', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bff-reload-'));
  const config = join(dir, 'bff.json');
  writeFileSync(config, JSON.stringify({ api_keys: { [sha('key-a')]: client('a') }, cors: { origins: ['http://localhost:3000'] } }));
  const s = await startServer({ threads: 2, args: ['--config', config], env: { BFF_PROVIDERS_URL: 'http://127.0.0.1:1' } });
  try {
    const ask = async (key) => (await fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key }, body: '{"query":"{ __typename }"}' })).status;
    assert.equal(await ask('key-a'), 200);
    assert.equal(await ask('key-b'), 401);
    // load across the reload
    writeFileSync(join(dir, 'body.json'), '{"query":"{ __typename }"}');
    const load = run('h2load', ['-n', '6000', '-c', '4', '-m', '4', '-d', join(dir, 'body.json'), '-H', 'content-type: application/json', `${s.url}/graphql`], { timeout: 60000 });
    await sleep(150);
    writeFileSync(config, JSON.stringify({ api_keys: { [sha('key-b')]: client('b') }, cors: { origins: ['http://localhost:4000'] } }));
    s.proc.kill('SIGHUP');
    const r = await load;
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /requests: 6000 total, 6000 started, 6000 done, 6000 succeeded, 0 failed, 0 errored/);
    assert.match(r.stdout, /status codes: 6000 2xx/);
    for (let i = 0; i < 50 && !s.lines.some((l) => l.includes('"msg":"reloaded"')); i++) await sleep(20);
    assert.ok(s.lines.some((l) => l.includes('"msg":"reloaded"') && l.includes('"generation":2')), s.lines.slice(-5).join('\n'));
    assert.equal(await ask('key-b'), 200, 'the added key works');
    assert.equal(await ask('key-a'), 401, 'the removed key does not');
    const pre = await fetch(`${s.url}/graphql`, { method: 'OPTIONS', headers: { origin: 'http://localhost:4000', 'access-control-request-method': 'POST' } });
    assert.equal(pre.headers.get('access-control-allow-origin'), 'http://localhost:4000', 'CORS reloaded too');
    // a broken config: refused, named, and the settings in force stay
    writeFileSync(config, JSON.stringify({ api_keys: { 'not-a-hash': client('c') } }));
    s.proc.kill('SIGHUP');
    for (let i = 0; i < 50 && !s.lines.some((l) => l.includes('reload refused')); i++) await sleep(20);
    const refused = s.lines.find((l) => l.includes('reload refused'));
    assert.ok(refused, 'the refusal is logged');
    assert.match(JSON.parse(refused).error, /api_keys/);
    assert.equal(await ask('key-b'), 200, 'the old settings keep serving');
    writeFileSync(config, '{ not json');
    s.proc.kill('SIGHUP');
    await sleep(200);
    assert.equal(s.lines.filter((l) => l.includes('reload refused')).length, 2);
    assert.equal(await ask('key-b'), 200);
  } finally {
    assert.equal((await s.stop()).code, 0);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SIGHUP reloads provider settings: a new auth header is sent, a bulkhead grows; a broken provider entry is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bff-reload-'));
  const sim = await startSim();
  const config = join(dir, 'bff.json');
  const settings = (catalogKey, enrichment, extra = {}) =>
    JSON.stringify({ providers_url: sim.url, catalog_cache_ttl_ms: 0, providers: { catalog: { auth_header: `X-Api-Key: ${catalogKey}` }, ...extra }, bulkheads: { enrichment } });
  writeFileSync(config, settings('catalog-old', { max_concurrent: 1, max_queue: 0, queue_timeout_ms: 10, timeout_ms: 2000 }));
  // one worker: its bulkhead is the one the requests share
  const s = await startServer({ threads: 1, args: ['--config', config] });
  const simStats = async () => (await fetch(`${sim.url}/_sim/stats`)).json();
  const product = async (id) =>
    (await fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `{ product(id: "${id}") { title reviews(first: 1) { rating } } }` }) })).json();
  // four product pages at once while reviews take 300 ms: how many found no reviews slot
  const crowded = async () => {
    const all = await Promise.all(['p0001', 'p0002', 'p0003', 'p0004'].map(product));
    return all.filter((r) => (r.errors || []).some((e) => e.extensions?.dependency === 'reviews')).length;
  };
  const reloaded = async (n) => {
    for (let i = 0; i < 100 && !s.lines.some((l) => l.includes('"generation":' + n)); i++) await sleep(20);
    assert.ok(s.lines.some((l) => l.includes('"msg":"reloaded"') && l.includes('"generation":' + n)), s.lines.slice(-5).join('\n'));
  };
  try {
    assert.equal((await product('p0005')).data.product.title.length > 0, true);
    assert.equal((await simStats()).catalog.api_key, 'catalog-old');
    await fetch(`${sim.url}/_sim/faults`, { method: 'POST', body: JSON.stringify({ reviews: { latency_ms: 300 } }) });
    assert.equal(await crowded(), 3, 'one enrichment slot, no queue: three of four pages go without reviews');
    writeFileSync(config, settings('catalog-new', { max_concurrent: 8, max_queue: 8, queue_timeout_ms: 50, timeout_ms: 2000 }));
    s.proc.kill('SIGHUP');
    await reloaded(2);
    assert.equal(await crowded(), 0, 'eight slots after the reload');
    assert.equal((await simStats()).catalog.api_key, 'catalog-new');
    // a broken provider entry: refused, named, the settings in force stay
    writeFileSync(config, settings('catalog-newer', { max_concurrent: 8 }, { tax: { url: 'ftp://nowhere' } }));
    s.proc.kill('SIGHUP');
    for (let i = 0; i < 50 && !s.lines.some((l) => l.includes('reload refused')); i++) await sleep(20);
    const refused = s.lines.find((l) => l.includes('reload refused'));
    assert.ok(refused, 'the refusal is logged');
    assert.match(JSON.parse(refused).error, /providers/);
    await product('p0006');
    assert.equal((await simStats()).catalog.api_key, 'catalog-new');
  } finally {
    assert.equal((await s.stop()).code, 0);
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
