// `bff demo` (the simulator beside the server, as make run), a server whose
// providers are not configured (one log line, /readyz 503), and `bff
// healthcheck` (the image's health probe, which has no curl).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BFF, root, startServer } from './lib.mjs';

const healthcheck = (port) => spawnSync(BFF, ['healthcheck', '--listen', `127.0.0.1:${port}`], { encoding: 'utf8', timeout: 10000 });

test('bff demo: the simulator starts with the server, the product page answers, and both stop together', async () => {
  const s = await startServer({ command: ['demo'], threads: 1, env: { BFF_PROVIDERS_URL: '', BFF_API_KEYS: '', BFF_ID_SIGNING_KEY: '' } });
  let simPid;
  try {
    const line = s.lines.find((l) => l.includes('"msg":"demo: the provider simulator is running"'));
    assert.ok(line, s.lines.join('\n'));
    assert.match(JSON.parse(line).providers_url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const ready = await fetch(`${s.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal(healthcheck(s.port).status, 0);
    const q = readFileSync(join(root, 'examples/product_page.graphql'), 'utf8');
    const v = JSON.parse(readFileSync(join(root, 'examples/product_page.json'), 'utf8'));
    const page = await (await fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: q, variables: v }) })).json();
    assert.equal(page.errors, undefined, JSON.stringify(page.errors));
    assert.ok(page.data.product.title);
    // the demo key and the demo id key, as make run: the README's cart totals work
    const cq = readFileSync(join(root, 'examples/cart_totals.graphql'), 'utf8');
    const cv = JSON.parse(readFileSync(join(root, 'examples/cart_totals.json'), 'utf8'));
    const cart = await (await fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'demo-storefront-key' }, body: JSON.stringify({ query: cq, variables: cv }) })).json();
    assert.equal(cart.errors, undefined, JSON.stringify(cart.errors));
    assert.ok(Number(cart.data.cart.cost.total.amount) > 0);
    simPid = Number(spawnSync('pgrep', ['-P', String(s.proc.pid), 'bff-sim'], { encoding: 'utf8' }).stdout.trim());
    assert.ok(simPid > 0, 'the simulator is the server\'s child');
  } finally {
    assert.equal((await s.stop()).code, 0);
  }
  let gone = false;
  for (let i = 0; i < 50 && !gone; i++) {
    try {
      process.kill(simPid, 0);
      await new Promise((r) => setTimeout(r, 50));
    } catch {
      gone = true;
    }
  }
  assert.ok(gone, 'the simulator stopped with the server');
});

test('providers not configured: one clear log line naming providers_url, /readyz 503, calls fail at once', async () => {
  const s = await startServer({ threads: 1, env: { BFF_PROVIDERS_URL: '' } });
  try {
    const warn = s.lines.filter((l) => l.includes('"msg":"providers not configured"'));
    assert.equal(warn.length, 1);
    const w = JSON.parse(warn[0]);
    assert.equal(w.setting, 'providers_url');
    assert.ok(w.providers.includes('catalog'));
    const ready = await fetch(`${s.url}/readyz`);
    assert.equal(ready.status, 503);
    assert.equal((await ready.json()).status, 'providers not configured');
    assert.equal(healthcheck(s.port).status, 1);
    const r = await (await fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ product(handle: "x") { title } }' }) })).json();
    assert.equal(r.errors[0].extensions.code, 'DEPENDENCY_UNAVAILABLE');
    assert.match(r.errors[0].message, /catalog: no URL is configured \(set providers_url or providers\.catalog\.url\)/);
  } finally {
    assert.equal((await s.stop()).code, 0);
  }
});

test('bff healthcheck: exit 1 when nothing listens', () => {
  const r = healthcheck(1);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /readyz/);
});
