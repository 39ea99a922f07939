// Where storefronts live: browsers on other origins (CORS), and proxies in
// front of the server (the client's address from X-Forwarded-For / Forwarded,
// only from a trusted peer).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib.mjs';

const Q = JSON.stringify({ query: '{ shop { name } }' });

test('CORS: preflight and answers for allowed origins (exact and *.wildcard), nothing for others', async () => {
  const s = await startServer({ threads: 1, env: { BFF_CORS: JSON.stringify({ origins: ['http://localhost:3000', 'https://*.example.com'], max_age: 300 }) } });
  try {
    const pre = async (origin) =>
      fetch(`${s.url}/graphql`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-api-key' } });
    for (const origin of ['http://localhost:3000', 'https://shop.example.com', 'https://a.b.example.com']) {
      const r = await pre(origin);
      assert.equal(r.status, 204, origin);
      assert.equal(r.headers.get('access-control-allow-origin'), origin);
      assert.match(r.headers.get('access-control-allow-headers'), /content-type/);
      assert.match(r.headers.get('access-control-allow-headers'), /x-api-key/);
      assert.match(r.headers.get('access-control-allow-headers'), /traceparent/);
      assert.match(r.headers.get('access-control-allow-methods'), /POST/);
      assert.equal(r.headers.get('access-control-max-age'), '300');
      assert.equal(r.headers.get('access-control-allow-credentials'), null, 'credentials off by default');
    }
    for (const origin of ['https://example.com', 'http://shop.example.com', 'https://shop.example.com.evil.test', 'https://evil.test', 'http://localhost:3001']) {
      const r = await pre(origin);
      assert.equal(r.status, 204);
      assert.equal(r.headers.get('access-control-allow-origin'), null, origin);
    }
    const post = async (origin, headers = {}) =>
      fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', origin, ...headers }, body: Q });
    const ok = await post('http://localhost:3000');
    assert.equal(ok.headers.get('access-control-allow-origin'), 'http://localhost:3000');
    assert.match(ok.headers.get('vary'), /Origin/);
    assert.match(ok.headers.get('access-control-expose-headers'), /x-request-id/);
    assert.match(ok.headers.get('access-control-expose-headers'), /retry-after/);
    const denied = await post('https://evil.test');
    assert.equal(denied.headers.get('access-control-allow-origin'), null);
    assert.match(denied.headers.get('vary'), /Origin/);
    // errors too: the page can read why it failed
    const unauth = await post('http://localhost:3000', { 'x-api-key': 'wrong' });
    assert.equal(unauth.status, 401);
    assert.equal(unauth.headers.get('access-control-allow-origin'), 'http://localhost:3000');
  } finally {
    assert.equal((await s.stop()).code, 0);
  }
});

test('a malformed cors or trusted_proxies setting stops start-up, naming it', async () => {
  for (const [env, name] of [[{ BFF_CORS: '{"origins": ["ftp://x"]}' }, 'cors'], [{ BFF_CORS: '{"origin": []}' }, 'cors'], [{ BFF_TRUSTED_PROXIES: '10.0.0.0/99' }, 'trusted_proxies']]) {
    const r = await startServer({ env, expectFail: true });
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`"${name}"`));
  }
});

async function available(s, xff) {
  const r = await fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...(xff ? { 'x-forwarded-for': xff } : {}) }, body: Q });
  return (await r.json()).extensions.cost.throttleStatus.currentlyAvailable;
}

const TIGHT = { BFF_TIERS: JSON.stringify({ anonymous: { bucket: 100, restore_per_second: 0.001 } }) };

test('trusted proxies: clients behind a trusted proxy get their own budgets; the header from an untrusted peer is ignored', async () => {
  const trusted = await startServer({ threads: 1, env: { ...TIGHT, BFF_TRUSTED_PROXIES: '127.0.0.1/32, 10.0.0.0/8' } });
  try {
    // two shoppers behind the proxy (and a CDN hop the proxy appended: trusted, skipped)
    assert.equal(await available(trusted, '203.0.113.7'), 99);
    assert.equal(await available(trusted, '203.0.113.7'), 98);
    assert.equal(await available(trusted, '198.51.100.2, 10.1.2.3'), 99, 'another client, its own bucket');
    // a client cannot pick its address by prepending: the rightmost untrusted hop counts
    assert.equal(await available(trusted, '198.51.100.2, 203.0.113.7'), 97);
    // Forwarded (RFC 7239)
    const fwd = await fetch(`${trusted.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', forwarded: 'for=192.0.2.60;proto=http, for="[2001:db8::17]:4711"' }, body: Q });
    assert.equal((await fwd.json()).extensions.cost.throttleStatus.currentlyAvailable, 99);
  } finally {
    assert.equal((await trusted.stop()).code, 0);
  }
  const untrusted = await startServer({ threads: 1, env: { ...TIGHT, BFF_TRUSTED_PROXIES: '10.0.0.0/8' } });
  try {
    assert.equal(await available(untrusted, '203.0.113.7'), 99);
    assert.equal(await available(untrusted, '198.51.100.2'), 98, 'the peer is not trusted: one bucket, whatever the header says');
  } finally {
    assert.equal((await untrusted.stop()).code, 0);
  }
});
