// Graceful shutdown: a response still being written when SIGTERM arrives is
// finished (the client gets all of it) before the process exits 0; past
// shutdown_timeout_ms the process exits anyway. New connections are refused
// once shutdown starts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { startServer, sleep, requireNode, root } from './lib.mjs';

const g = requireNode('graphql');

// A schema whose introspection answer is a few megabytes, so it outlasts the socket buffers.
function bigSchema(dir) {
  // the commerce schema plus 2,500 big input types (object types would need resolvers for their
  // fields), chained from a directive's argument so that introspection lists them all (it lists
  // only types something visible reaches)
  let sdl = readFileSync(join(root, 'schema/commerce.graphql'), 'utf8') + '\n"Reaches the big types."\ndirective @big(arg: T0) on FIELD\n';
  for (let i = 0; i < 2500; i++) {
    sdl += `"Type number ${i}, described at some length so that the answer is large."\ninput T${i} {\n`;
    for (let f = 0; f < 16; f++) sdl += `  "Field ${f} of type ${i}."\n  field${f}: ${f === 0 && i + 1 < 2500 ? `T${i + 1}` : `Int = ${f}`}\n`;
    sdl += '}\n';
  }
  const p = join(dir, 'big.graphql');
  writeFileSync(p, sdl);
  return p;
}

// An HTTP/1.1 client that sends the introspection query and then stops
// reading until told to: the multi-megabyte answer cannot all fit in the
// socket buffers, so the server is still writing it.
// Waits until the server has logged the request: the answer is built and being sent.
async function answered(s) {
  for (let i = 0; i < 3000; i++) {
    if (s.lines.some((l) => l.includes('"operation":"IntrospectionQuery"'))) return;
    await sleep(10);
  }
  throw new Error('the introspection request was not answered');
}

function pausedIntrospection(port) {
  const body = JSON.stringify({ query: g.getIntrospectionQuery({ descriptions: true }) });
  const chunks = [];
  const sock = net.connect(port, '127.0.0.1', () => {
    sock.write(`POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
  sock.pause();
  sock.on('data', (d) => chunks.push(d));
  const closed = new Promise((resolve) => {
    sock.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    sock.on('error', () => {});
  });
  return { resume: () => sock.resume(), closed };
}

test('an in-flight response is finished before the process exits', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bff-shutdown-'));
  const s = await startServer({ env: { BFF_SCHEMA: bigSchema(dir) }, threads: 1 });
  try {
    const client = pausedIntrospection(s.port);
    await answered(s);
    s.proc.kill('SIGTERM');
    await sleep(500);
    assert.equal(s.proc.exitCode, null, 'still running while the response is being written');
    client.resume();
    const text = await client.closed;
    assert.match(text, /^HTTP\/1.1 200/);
    assert.ok(text.length > 5000000, `got ${text.length} bytes`);
    assert.ok(text.endsWith('0\r\n\r\n') || !/transfer-encoding: chunked/i.test(text), 'complete chunked body');
    assert.ok(text.includes('"name":"T2499"'), 'the end of the answer arrived');
    const exit = await s.wait();
    assert.equal(exit.code, 0);
  } finally {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('past shutdown_timeout_ms the process exits anyway', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bff-shutdown-'));
  const s = await startServer({ env: { BFF_SCHEMA: bigSchema(dir), BFF_SHUTDOWN_TIMEOUT_MS: '300' }, threads: 1 });
  try {
    const client = pausedIntrospection(s.port);
    await answered(s);
    const t0 = Date.now();
    const exit = await s.stop('SIGTERM');
    assert.equal(exit.code, 0);
    // the paused client would hold it forever; exiting (leak check included, slow under ASan) takes seconds at most
    assert.ok(Date.now() - t0 < 8000, `exit took ${Date.now() - t0} ms`);
    client.resume();
    const text = await client.closed;
    assert.ok(!text.endsWith('0\r\n\r\n'), 'the cut-off client sees an incomplete response');
  } finally {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
