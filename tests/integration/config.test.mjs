// Start-up refuses bad settings with a message naming the setting, and
// shuts down gracefully.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, postJson, sleep } from './lib.mjs';

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
    assert.equal(r.body, '{"data":{"shop":{"name":"From File","currencyCode":"JPY"}}}');
  } finally {
    assert.equal((await s.stop()).code, 0);
    rmSync(c.dir, { recursive: true });
  }
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
