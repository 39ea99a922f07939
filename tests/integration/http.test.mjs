// The server over real HTTP clients: curl (HTTP/1.1, HTTP/2 prior knowledge,
// h2c upgrade, TLS with ALPN), the GraphQL-over-HTTP status codes and media
// types, limits, request ids and logs, operator endpoints, GraphiQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { startServer, curl, postJson, sleep, run } from './lib.mjs';

let srv;
before(async () => {
  srv = await startServer({ env: { BFF_MAX_BODY_BYTES: '4096', BFF_SHOP_NAME: 'Integration Shop' } });
});
after(async () => {
  const r = await srv.stop();
  assert.equal(r.code, 0, `exit status ${JSON.stringify(r)} ${srv.stderr()}`);
});

const typename = { query: '{ __typename }' };

test('POST { __typename } over HTTP/1.1, HTTP/2 prior knowledge and h2c upgrade', () => {
  for (const [flag, version] of [['--http1.1', '1.1'], ['--http2-prior-knowledge', '2'], ['--http2', '2']]) {
    const r = postJson(`${srv.url}/graphql`, typename, [flag]);
    assert.equal(r.status, 200, flag);
    assert.equal(r.httpVersion, version, flag);
    assert.deepEqual(JSON.parse(r.body).data, { __typename: 'Query' }, flag);
    assert.match(r.headers['content-type'], /^application\/json; charset=utf-8$/);
  }
});

test('resolvers answer from configuration', () => {
  const r = postJson(`${srv.url}/graphql`, { query: 'query Shop { shop { name currencyCode } }' });
  assert.deepEqual(JSON.parse(r.body).data, { shop: { name: 'Integration Shop', currencyCode: 'EUR' } });
});

test('GET queries, and mutations over GET are 405; a GET a link or an <img> could send is refused (CSRF)', () => {
  const preflight = ['-H', 'apollo-require-preflight: true'];
  const r = curl([...preflight, `${srv.url}/graphql?query=${encodeURIComponent('{ shop { name } }')}`]);
  assert.equal(r.status, 200);
  assert.equal(JSON.parse(r.body).data.shop.name, 'Integration Shop');
  for (const h of [['-H', 'content-type: application/json'], ['-H', 'x-apollo-operation-name: Q'], ['-H', 'graphql-preflight: 1']])
    assert.equal(curl([...h, `${srv.url}/graphql?query=${encodeURIComponent('{ shop { name } }')}`]).status, 200, h[1]);
  const simple = curl([`${srv.url}/graphql?query=${encodeURIComponent('{ shop { name } }')}`]);
  assert.equal(simple.status, 400);
  assert.equal(JSON.parse(simple.body).errors[0].extensions.code, 'CSRF_PREVENTED');
  const form = curl(['-H', 'content-type: text/plain', `${srv.url}/graphql?query=${encodeURIComponent('{ shop { name } }')}`]);
  assert.equal(form.status, 400);
  const m = curl([...preflight, `${srv.url}/graphql?query=${encodeURIComponent('mutation { cartCreate { cart { id } } }')}`]);
  assert.equal(m.status, 405);
  assert.equal(m.headers.allow, 'POST');
  assert.equal(JSON.parse(m.body).errors[0].extensions.code, 'METHOD_NOT_ALLOWED');
});

test('media types and status codes follow the GraphQL-over-HTTP spec', () => {
  const gql = ['-H', 'accept: application/graphql-response+json'];
  let r = postJson(`${srv.url}/graphql`, { query: '{' }, gql);
  assert.equal(r.status, 400);
  assert.match(r.headers['content-type'], /^application\/graphql-response\+json/);
  let body = JSON.parse(r.body);
  assert.equal(body.data, undefined);
  assert.equal(body.errors[0].message, 'Syntax Error: Expected Name, found <EOF>.');
  assert.deepEqual(body.errors[0].locations, [{ line: 1, column: 2 }]);
  assert.equal(body.errors[0].extensions.code, 'GRAPHQL_PARSE_FAILED');

  r = postJson(`${srv.url}/graphql`, { query: '{ zzqqxx }' }, gql);
  assert.equal(r.status, 400);
  body = JSON.parse(r.body);
  assert.equal(body.errors[0].message, 'Cannot query field "zzqqxx" on type "Query".');
  assert.equal(body.errors[0].extensions.code, 'GRAPHQL_VALIDATION_FAILED');

  // legacy application/json: GraphQL errors are 200
  r = postJson(`${srv.url}/graphql`, { query: '{ nope }' }, ['-H', 'accept: application/json']);
  assert.equal(r.status, 200);
  r = postJson(`${srv.url}/graphql`, { query: 'query Q($n: Boolean!) { __typename @include(if: $n) }', variables: { n: 'x' } }, gql);
  assert.equal(r.status, 400);
  assert.equal(JSON.parse(r.body).errors[0].extensions.code, 'BAD_USER_INPUT');

  r = postJson(`${srv.url}/graphql`, typename, ['-H', 'accept: text/plain']);
  assert.equal(r.status, 406);
  r = curl(['-X', 'POST', '--data-binary', '{"query":"{ __typename }"}', '-H', 'content-type:', `${srv.url}/graphql`]);
  assert.equal(r.status, 415);
  r = postJson(`${srv.url}/graphql`, '{"query": ');
  assert.equal(r.status, 400);
  assert.equal(JSON.parse(r.body).errors[0].extensions.code, 'BAD_REQUEST');
  // an array is a batch (batch.test.mjs): its elements that are not objects fail on their own
  r = postJson(`${srv.url}/graphql`, '[1,2]');
  assert.equal(r.status, 200);
  assert.deepEqual(JSON.parse(r.body).map((e) => e.errors[0].extensions.code), ['BAD_REQUEST', 'BAD_REQUEST']);
  r = postJson(`${srv.url}/graphql`, '"{ __typename }"');
  assert.equal(r.status, 400);
  r = postJson(`${srv.url}/graphql`, { query: 1 });
  assert.equal(r.status, 400);
  r = postJson(`${srv.url}/graphql`, Buffer.from([0x7b, 0x22, 0x71, 0xff, 0x22, 0x3a, 0x31, 0x7d]).toString('latin1'));
  assert.equal(r.status, 400);
  r = curl(['-X', 'PUT', `${srv.url}/graphql`]);
  assert.equal(r.status, 405);
});

test('operationName selects among several operations', () => {
  const doc = 'query A { __typename } query B { shop { currencyCode } }';
  let r = postJson(`${srv.url}/graphql`, { query: doc, operationName: 'B' });
  assert.deepEqual(JSON.parse(r.body).data, { shop: { currencyCode: 'EUR' } });
  r = postJson(`${srv.url}/graphql`, { query: doc }, ['-H', 'accept: application/graphql-response+json']);
  assert.equal(r.status, 400);
  assert.match(JSON.parse(r.body).errors[0].message, /operation name/);
});

test('request body limit: 413', () => {
  const big = JSON.stringify({ query: `{ __typename ${' '.repeat(8000)} }` });
  const r = postJson(`${srv.url}/graphql`, big);
  assert.equal(r.status, 413);
});

test('hostile documents are refused with a syntax error, not a crash', () => {
  const deep = '{ a '.repeat(5000) + '}'.repeat(5000);
  const r = postJson(`${srv.url}/graphql`, { query: deep }, ['-H', 'accept: application/graphql-response+json']);
  assert.equal(r.status, 413); // larger than 4096 bytes here
  const r2 = postJson(`${srv.url}/graphql`, { query: '{ a '.repeat(300) + '}'.repeat(300) });
  assert.equal(r2.status, 200);
  assert.match(JSON.parse(r2.body).errors[0].message, /nesting exceeds 64 levels/);
});

test('request ids: X-Request-ID and traceparent are honoured and echoed, and logged', async () => {
  let r = postJson(`${srv.url}/graphql`, typename, ['-H', 'x-request-id: abc-123']);
  assert.equal(r.headers['x-request-id'], 'abc-123');
  r = postJson(`${srv.url}/graphql`, typename, ['-H', 'traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01']);
  assert.equal(r.headers['x-request-id'], '4bf92f3577b34da6a3ce929d0e0e4736');
  r = postJson(`${srv.url}/graphql`, typename, ['-H', 'x-client-name: web-storefront']);
  const generated = r.headers['x-request-id'];
  assert.match(generated, /^[0-9a-f]{32}$/);
  await sleep(100);
  const logs = srv.lines.filter((l) => l.includes('"request_id"')).map((l) => JSON.parse(l));
  for (const id of ['abc-123', '4bf92f3577b34da6a3ce929d0e0e4736', generated])
    assert.ok(logs.some((l) => l.request_id === id), `log line for ${id}`);
  const line = logs.find((l) => l.request_id === generated);
  for (const key of ['time', 'level', 'method', 'path', 'status', 'duration_ms', 'operation', 'client', 'error_codes'])
    assert.ok(key in line, key);
  assert.equal(line.trace_id, generated); // no X-Request-ID: the request id is the trace id
  assert.match(line.span_id, /^[0-9a-f]{16}$/);
  const traced = logs.find((l) => l.request_id === '4bf92f3577b34da6a3ce929d0e0e4736');
  assert.equal(traced.trace_id, '4bf92f3577b34da6a3ce929d0e0e4736');
  assert.equal(line.client, 'web-storefront');
  assert.equal(line.status, 200);
  const failed = logs.find((l) => l.error_codes.includes('GRAPHQL_VALIDATION_FAILED'));
  assert.ok(failed, 'error codes are logged');
});

test('operator endpoints: /healthz, /readyz, /metrics', () => {
  assert.equal(curl([`${srv.url}/healthz`]).status, 200);
  const ready = curl([`${srv.url}/readyz`]);
  assert.equal(ready.status, 200);
  assert.equal(JSON.parse(ready.body).status, 'ready');
  postJson(`${srv.url}/graphql`, { query: 'query Shop { shop { name } }' });
  const m = curl([`${srv.url}/metrics`]);
  assert.equal(m.status, 200);
  assert.match(m.headers['content-type'], /^text\/plain; version=0.0.4/);
  assert.match(m.body, /bff_http_requests_total\{operation="Shop",status="200"\} [1-9]/);
  assert.match(m.body, /bff_graphql_errors_total\{code="GRAPHQL_VALIDATION_FAILED"\} [1-9]/);
  assert.match(m.body, /bff_http_request_duration_seconds_bucket\{le="\+Inf"\} [1-9]/);
  assert.match(m.body, /bff_http_requests_in_flight 0/);
  assert.match(m.body, /bff_connections [0-9]/);
});

test('GraphiQL for browsers, from shipped assets', () => {
  const page = curl(['-H', 'accept: text/html,application/xhtml+xml,*/*;q=0.8', `${srv.url}/graphql`]);
  assert.equal(page.status, 200);
  assert.match(page.headers['content-type'], /^text\/html/);
  assert.match(page.body, /graphiql\.min\.js/);
  for (const asset of ['graphiql.min.js', 'graphiql.min.css', 'react.production.min.js', 'react-dom.production.min.js']) {
    const a = curl(['-o', '/dev/null', `${srv.url}/graphiql/${asset}`]);
    assert.equal(a.status, 200, asset);
    assert.ok(Number(a.headers['content-length']) > 1000, asset);
  }
});

test('h2load: 400 requests over 4 HTTP/2 connections all succeed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bff-h2load-'));
  const body = join(dir, 'body.json');
  writeFileSync(body, JSON.stringify(typename));
  const r = await run('h2load', ['-n', '400', '-c', '4', '-m', '8', '-d', body, '-H', 'content-type: application/json', `${srv.url}/graphql`]);
  rmSync(dir, { recursive: true, force: true });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /requests: 400 total, 400 started, 400 done, 400 succeeded, 0 failed, 0 errored/);
  assert.match(r.stdout, /status codes: 400 2xx/);
});

test('slow clients: an unfinished request is closed after the header timeout', async () => {
  const s2 = await startServer({ env: { BFF_HEADER_TIMEOUT_MS: '300' }, threads: 1 });
  try {
    const closedAfter = await new Promise((resolve, reject) => {
      const t0 = Date.now();
      const sock = net.connect(s2.port, '127.0.0.1', () => sock.write('POST /graphql HTTP/1.1\r\nHost: x\r\n'));
      sock.on('close', () => resolve(Date.now() - t0));
      sock.on('error', () => {});
      setTimeout(() => reject(new Error('not closed')), 5000).unref();
    });
    assert.ok(closedAfter < 3000, `closed after ${closedAfter} ms`);
  } finally {
    assert.equal((await s2.stop()).code, 0);
  }
});

test('connection limit: connections over max_connections are closed at once', async () => {
  const s2 = await startServer({ env: { BFF_MAX_CONNECTIONS: '2' }, threads: 1 });
  const socks = [];
  try {
    for (let i = 0; i < 2; i++) {
      const s = net.connect(s2.port, '127.0.0.1');
      await new Promise((r) => s.on('connect', r));
      socks.push(s);
    }
    await sleep(100);
    const third = net.connect(s2.port, '127.0.0.1');
    const closed = await new Promise((resolve) => {
      third.on('close', () => resolve(true));
      third.on('error', () => {});
      setTimeout(() => resolve(false), 3000).unref();
    });
    assert.ok(closed, 'third connection closed');
    for (const s of socks) s.destroy();
    await sleep(200);
    const ok = postJson(`${s2.url}/graphql`, typename);
    assert.equal(ok.status, 200, 'capacity comes back when connections close');
  } finally {
    for (const s of socks) s.destroy();
    assert.equal((await s2.stop()).code, 0);
  }
});

test('TLS with ALPN: HTTP/2 over https', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bff-tls-'));
  const key = join(dir, 'key.pem'), cert = join(dir, 'cert.pem');
  const gen = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost'], { encoding: 'utf8' });
  assert.equal(gen.status, 0, gen.stderr);
  const s2 = await startServer({ env: { BFF_TLS_CERT: cert, BFF_TLS_KEY: key }, threads: 1 });
  try {
    const r = postJson(`https://localhost:${s2.port}/graphql`, typename, ['-k', '--http2', '--resolve', `localhost:${s2.port}:127.0.0.1`]);
    assert.equal(r.status, 200);
    assert.equal(r.httpVersion, '2');
    assert.deepEqual(JSON.parse(r.body).data, { __typename: 'Query' });
    const h1 = postJson(`https://localhost:${s2.port}/graphql`, typename, ['-k', '--http1.1', '--resolve', `localhost:${s2.port}:127.0.0.1`]);
    assert.equal(h1.httpVersion, '1.1');
    assert.equal(h1.status, 200);
  } finally {
    assert.equal((await s2.stop()).code, 0);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('subscriptions and WebSocket upgrades: a clear 400 with its own code', () => {
  const sub = postJson(`${srv.url}/graphql`, { query: 'subscription { __typename }' });
  assert.equal(sub.status, 400);
  assert.equal(JSON.parse(sub.body).errors[0].extensions.code, 'OPERATION_NOT_SUPPORTED');
  const ws = curl(['-H', 'connection: Upgrade', '-H', 'upgrade: websocket', '-H', 'sec-websocket-version: 13', '-H', 'sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==',
    '-H', 'sec-websocket-protocol: graphql-transport-ws', `${srv.url}/graphql`]);
  assert.equal(ws.status, 400);
  const body = JSON.parse(ws.body);
  assert.equal(body.errors[0].extensions.code, 'OPERATION_NOT_SUPPORTED');
  assert.match(body.errors[0].message, /WebSocket/);
});

test('a 4xx answer keeps the HTTP/1.1 connection open', async () => {
  const { spawnSync } = await import('node:child_process');
  const bad = `${srv.url}/graphql?query=${encodeURIComponent('{ __typename }')}`; // no preflight header: 400
  const r = spawnSync('curl', ['-sv', '--max-time', '10', '-o', '/dev/null', '-o', '/dev/null', bad, bad], { encoding: 'utf8' });
  assert.equal((r.stderr.match(/HTTP\/1.1 400/g) || []).length, 2, r.stderr);
  assert.match(r.stderr, /Re-using existing connection/);
  assert.doesNotMatch(r.stderr, /Connection: close/i);
});
