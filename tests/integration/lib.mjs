// Helpers for the integration tests: start build/bff on a free loopback
// port, collect its JSON log lines, stop it; run curl.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { createServer as createNetServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '../..');
export const requireNode = createRequire(join(root, 'tests/node/package.json'));
export const BFF = process.env.BFF_BIN || join(root, 'build/bff');

// The id signing key `make run` uses too (scripts/run.sh), so the examples' cart id opens in both.
export const ID_KEY = 'demo-only-id-signing-key-not-a-secret';
// A client-facing cart or order id (resolvers/ids.h), made here independently of the server's code.
export function sealId(kind, id, key = ID_KEY) {
  return `gid://bff/${kind}/${id}?key=${createHmac('sha256', key).update(`${kind}:${id}`).digest('hex').slice(0, 32)}`;
}
export const DEMO_CART = sealId('Cart', 'demo-cart-1');

export async function startServer({ env = {}, args = [], threads = 2, expectFail = false, command = [] } = {}) {
  // each server its own checkout journal, unless the test keeps one across restarts
  const stateDir = env.BFF_STATE_DIR === undefined ? mkdtempSync(join(tmpdir(), 'bff-state-')) : null;
  const proc = spawn(BFF, [...command, '--listen', '127.0.0.1:0', '--threads', String(threads), ...args], {
    cwd: root,
    // every test client is 127.0.0.1: an anonymous budget that does not run dry unless a test sets its own
    // and every scope, unless a test says otherwise
    env: {
      BFF_TIERS: '{"anonymous": {"bucket": 1e12, "restore_per_second": 1e12}}',
      BFF_ANONYMOUS_SCOPES: 'cart:read,cart:write,checkout:write,orders:read,customers:read',
      BFF_ID_SIGNING_KEY: ID_KEY,
      // as make run: messages name the provider that failed (tests/integration/chaos.test.mjs checks the default too)
      BFF_EXPOSE_DEPENDENCY_DETAILS: 'true',
      // providers configured but absent (port 1 refuses): tests that need them start the simulator
      // (a config file names its own; the environment would override it)
      ...(args.includes('--config') ? {} : { BFF_PROVIDERS_URL: 'http://127.0.0.1:1' }),
      ...(stateDir ? { BFF_STATE_DIR: stateDir } : {}),
      ...process.env,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = [];
  let stderr = '';
  let buffered = '';
  proc.stdout.on('data', (d) => {
    buffered += d;
    let i;
    while ((i = buffered.indexOf('\n')) >= 0) {
      lines.push(buffered.slice(0, i));
      buffered = buffered.slice(i + 1);
    }
  });
  proc.stderr.on('data', (d) => (stderr += d));
  // 'close', not 'exit': the log lines written just before exiting are all read by then
  const exited = new Promise((resolve) => proc.on('close', (code, signal) => resolve({ code, signal })));
  if (stateDir) exited.then(() => rmSync(stateDir, { recursive: true, force: true }));
  if (expectFail) {
    const r = await Promise.race([exited, timeoutAfter(10000)]);
    return { ...r, stderr, lines };
  }
  const deadline = Date.now() + 15000;
  let port = null;
  while (port === null) {
    const l = lines.find((x) => x.includes('"msg":"listening"'));
    if (l) port = Number(JSON.parse(l).listen.split(':').pop());
    else if (proc.exitCode !== null) throw new Error(`bff exited early (${proc.exitCode}): ${stderr}`);
    else if (Date.now() > deadline) throw new Error(`bff did not start: ${stderr}`);
    else await sleep(20);
  }
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    lines,
    proc,
    stderr: () => stderr,
    // waits for the process to exit on its own (after a signal sent earlier)
    async wait(timeoutMs = 20000) {
      const r = await Promise.race([exited, timeoutAfter(timeoutMs)]);
      if (r.code === 'timeout') proc.kill('SIGKILL');
      return r;
    },
    async stop(signal = 'SIGTERM', timeoutMs = 20000) {
      if (proc.exitCode === null) proc.kill(signal);
      const r = await Promise.race([exited, timeoutAfter(timeoutMs)]);
      if (r.code === 'timeout') proc.kill('SIGKILL');
      return r;
    },
  };
}

// Runs a command without blocking this process (the server's log pipe keeps draining).
export function run(cmd, args, { timeout = 60000 } = {}) {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => p.kill('SIGKILL'), timeout);
    p.on('exit', (status) => {
      clearTimeout(t);
      resolve({ status, stdout, stderr });
    });
  });
}

// A timeout that does not keep the test process alive once the test is done.
function timeoutAfter(ms) {
  return new Promise((r) => setTimeout(() => r({ code: 'timeout' }), ms).unref());
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

// curl with a time bound; returns { status, body, headers, httpVersion, code }
export function curl(args, { timeout = 10 } = {}) {
  const r = spawnSync('curl', ['-s', '-S', '--max-time', String(timeout), '-D', '-', '-w', '\n%{http_code} %{http_version}', ...args], {
    encoding: 'utf8',
  });
  const out = r.stdout || '';
  const lastNl = out.lastIndexOf('\n');
  const [status, httpVersion] = out.slice(lastNl + 1).split(' ');
  const rest = out.slice(0, lastNl);
  // header blocks follow one another (100 Continue, then the answer): the last one is the response's;
  // the body may contain "HTTP/" itself, so blocks are walked from the start, not searched from the end
  let idx = rest.indexOf('HTTP/');
  let sep = rest.indexOf('\r\n\r\n', idx);
  while (sep >= 0 && rest.startsWith('HTTP/', sep + 4)) {
    idx = sep + 4;
    sep = rest.indexOf('\r\n\r\n', idx);
  }
  const headerText = sep >= 0 ? rest.slice(idx, sep) : rest;
  const body = sep >= 0 ? rest.slice(sep + 4) : '';
  const headers = {};
  for (const line of headerText.split('\r\n').slice(1)) {
    const c = line.indexOf(':');
    if (c > 0) headers[line.slice(0, c).toLowerCase()] = line.slice(c + 1).trim();
  }
  return { status: Number(status), httpVersion, body, headers, code: r.status, stderr: r.stderr };
}

export function postJson(url, payload, extra = []) {
  return curl(['-X', 'POST', '-H', 'content-type: application/json', '--data-binary', typeof payload === 'string' ? payload : JSON.stringify(payload), ...extra, url]);
}

// Starts build/bff-sim (next to the server binary) on a free port; returns { url, stop() }.
// With { tls: { cert, key } } it serves HTTPS (HTTP/2 by ALPN) and url is https://.
export async function startSim({ tls } = {}) {
  const args = ['--listen', '127.0.0.1:0', ...(tls ? ['--tls-cert', tls.cert, '--tls-key', tls.key] : [])];
  const sim = spawn(join(dirname(BFF), 'bff-sim'), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  sim.stdout.on('data', (d) => (out += d));
  for (let i = 0; i < 250 && !out.includes('listening'); i++) await sleep(20);
  if (!out.includes('listening')) throw new Error('bff-sim did not start');
  const exited = new Promise((r) => sim.on('exit', (code) => r(code)));
  return {
    url: `${tls ? 'https' : 'http'}://${JSON.parse(out.split('\n')[0]).listen}`,
    async stop() {
      sim.kill('SIGTERM');
      return exited;
    },
  };
}

export function freePort() {
  return new Promise((resolve) => {
    const s = createNetServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

// A real redis-server (Debian's, installed by scripts/deps.sh) on a free port with its own
// directory, persisting nothing. start() (again after a kill) keeps the port.
export async function redisServer(dir) {
  const bin = process.env.REDIS_SERVER_BIN || '/usr/bin/redis-server';
  const port = await freePort();
  let proc = null;
  const r = {
    port,
    url: `redis://localhost:${port}/0`,
    async start() {
      proc = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      proc.stdout.on('data', (d) => (out += d));
      for (let i = 0; i < 250 && !out.includes('Ready to accept connections'); i++) await sleep(20);
      if (!out.includes('Ready to accept connections')) throw new Error(`redis-server did not start: ${out}`);
    },
    running: () => proc !== null && proc.exitCode === null && proc.signalCode === null,
    // one command through redis-cli (redis-tools, a dependency of redis-server): its output
    async cli(...args) {
      const out = await run(process.env.REDIS_CLI_BIN || '/usr/bin/redis-cli', ['-p', String(port), ...args], { timeout: 10000 });
      if (out.status !== 0) throw new Error(`redis-cli ${args.join(' ')}: ${out.stderr}`);
      return out.stdout.trim();
    },
    async kill() {
      if (!r.running()) return;
      const exited = new Promise((res) => proc.on('exit', res));
      proc.kill('SIGKILL');
      await exited;
    },
  };
  await r.start();
  return r;
}

// A checkout-ready cart at the simulator (two lines, an address, a shipping rate): the provider's id.
export async function simCart(simUrl) {
  const call = async (method, path, body) => (await fetch(simUrl + path, { method, body: JSON.stringify(body) })).json();
  const id = (await call('POST', '/carts', { currency: 'EUR' })).id;
  await call('POST', `/carts/${id}/lines`, { lines: [{ sku: 'SKU-0001-1', quantity: 2 }, { sku: 'SKU-0003-1', quantity: 1 }] });
  await call('PUT', `/carts/${id}/buyer`, { email: 'x@example.test', address: { city: 'Berlin', zip: '10115', country: 'DE' } });
  await call('PUT', `/carts/${id}/shipping-rate`, { rate_id: 'standard' });
  return id;
}

// What the simulator's payments and orders hold for one checkout: the provider idempotency key is
// SHA-256 of "<client>\x1f<key>" (resolvers/saga.c); an anonymous caller on loopback is anon:127.0.0.1.
export async function simLedger(simUrl, key, client = 'anon:127.0.0.1') {
  const pk = createHash('sha256').update(`${client}\x1f${key}`).digest('hex');
  const get = async (path) => (await fetch(simUrl + path)).json();
  return {
    auths: (await get(`/payments?idempotency_key=${pk}`)).authorizations,
    orders: (await get(`/orders?idempotency_key=${pk}`)).orders,
  };
}
