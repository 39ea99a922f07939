// Upstreams over HTTPS: the server verifies the provider's certificate
// (against providers_ca_file), speaks HTTP/2 to a provider that offers it
// by ALPN, and shares connections across calls and requests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root, startServer, startSim } from './lib.mjs';

let dir, cert, key, sim;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bff-up-tls-'));
  key = join(dir, 'key.pem');
  cert = join(dir, 'cert.pem');
  const gen = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
  assert.equal(gen.status, 0, gen.stderr);
  sim = await startSim({ tls: { cert, key } });
});
after(async () => {
  assert.equal(await sim.stop(), 0);
  rmSync(dir, { recursive: true, force: true });
});

const simJson = async (path, body) => {
  const res = spawnSync('curl', ['-sk', ...(body ? ['-X', 'POST', '-d', JSON.stringify(body)] : []), sim.url + path], { encoding: 'utf8' });
  return res.stdout ? JSON.parse(res.stdout) : null;
};
const example = (name) => ({
  query: readFileSync(join(root, 'examples', `${name}.graphql`), 'utf8'),
  variables: JSON.parse(readFileSync(join(root, 'examples', `${name}.json`), 'utf8')),
});
const gql = async (srv, body) => (await fetch(`${srv.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json();

test('HTTPS providers: certificate checked, HTTP/2 by ALPN, one connection shared by the calls', async (t) => {
  const srv = await startServer({ env: { BFF_PROVIDERS_URL: sim.url, BFF_PROVIDERS_CA_FILE: cert, BFF_CATALOG_CACHE_TTL_MS: '0' }, threads: 1 });
  try {
    await simJson('/_sim/reset', {});
    for (let i = 0; i < 5; i++) {
      const page = await gql(srv, example('product_page'));
      assert.equal(page.errors, undefined, JSON.stringify(page.errors));
      const list = await gql(srv, example('listing_20'));
      assert.equal(list.errors, undefined, JSON.stringify(list.errors));
      assert.equal(list.data.products.edges.length, 20);
    }
    const s = await simJson('/_sim/stats');
    for (const p of ['catalog', 'pricing', 'inventory', 'reviews', 'recommendations']) {
      assert.ok(s[p].requests >= 5, `${p}: ${s[p].requests} requests`);
      assert.equal(s[p].http2, s[p].requests, `${p}: every call over HTTP/2`);
    }
    const calls = ['catalog', 'pricing', 'inventory', 'reviews', 'recommendations'].reduce((n, p) => n + s[p].requests, 0);
    t.diagnostic(`${calls} provider calls over ${s._connections} connection(s)`);
    // one connection for the server, one for this test's own stats request
    assert.ok(s._connections <= 2, `${calls} calls over ${s._connections} connections`);
  } finally {
    assert.equal((await srv.stop()).code, 0);
  }
});

test('an HTTPS provider whose certificate is not trusted is unavailable, not trusted anyway', async () => {
  const srv = await startServer({ env: { BFF_PROVIDERS_URL: sim.url }, threads: 1 });
  try {
    const r = await gql(srv, { query: '{ product(id: "p0001") { title } }' });
    assert.equal(r.data.product, null);
    assert.equal(r.errors[0].extensions.code, 'DEPENDENCY_UNAVAILABLE');
    assert.equal(r.errors[0].extensions.dependency, 'catalog');
  } finally {
    assert.equal((await srv.stop()).code, 0);
  }
});
