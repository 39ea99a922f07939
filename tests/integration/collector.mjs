// An OpenTelemetry collector stand-in for the tests: an OTLP/HTTP endpoint
// (POST /v1/traces, application/x-protobuf) that decodes each export with
// the OpenTelemetry JavaScript project's own protobuf definitions
// (@opentelemetry/otlp-transformer, generated from opentelemetry-proto;
// pinned in tests/node) and keeps the spans, ids as hex. Modes: 'ok' answers
// 200; 'hang' takes the request and never answers; 'refuse' is a port where
// nothing listens.
import { createServer } from 'node:http';
import { requireNode, freePort } from './lib.mjs';

const { opentelemetry } = requireNode('@opentelemetry/otlp-transformer/build/src/generated/root.js');
const v1 = opentelemetry.proto.collector.trace.v1;
export const otlpVersion = requireNode('@opentelemetry/otlp-transformer/package.json').version;

const hex = (b) => Buffer.from(b ?? []).toString('hex');

// An AnyValue as a plain value (int64 as a Number: our values are small).
function anyValue(v) {
  if (v.stringValue !== undefined && v.stringValue !== null && v.stringValue !== '') return v.stringValue;
  if (v.intValue !== undefined && v.intValue !== null) return Number(v.intValue);
  if (v.boolValue !== undefined && v.boolValue !== null) return v.boolValue;
  if (v.doubleValue !== undefined && v.doubleValue !== null) return v.doubleValue;
  return v.stringValue ?? null;
}
const attrs = (list) => Object.fromEntries((list ?? []).map((kv) => [kv.key, anyValue(kv.value ?? {})]));

export async function startCollector({ mode = 'ok' } = {}) {
  const exports = [];
  const spans = [];
  const errors = [];
  if (mode === 'refuse') {
    const port = await freePort();
    return { url: `http://127.0.0.1:${port}`, spans, exports, errors, stop: async () => {} };
  }
  const held = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (mode === 'hang') {
        held.push(res);
        return;
      }
      try {
        if (req.method !== 'POST' || req.url !== '/v1/traces') throw new Error(`${req.method} ${req.url}`);
        if (req.headers['content-type'] !== 'application/x-protobuf') throw new Error(`content-type ${req.headers['content-type']}`);
        const msg = v1.ExportTraceServiceRequest.decode(Buffer.concat(chunks));
        exports.push(msg);
        for (const rs of msg.resourceSpans) {
          const resource = attrs(rs.resource?.attributes);
          for (const ss of rs.scopeSpans)
            for (const s of ss.spans)
              spans.push({
                traceId: hex(s.traceId),
                spanId: hex(s.spanId),
                parentSpanId: hex(s.parentSpanId),
                traceState: s.traceState,
                name: s.name,
                kind: s.kind,
                start: BigInt(s.startTimeUnixNano.toString()),
                end: BigInt(s.endTimeUnixNano.toString()),
                attributes: attrs(s.attributes),
                events: (s.events ?? []).map((e) => ({ name: e.name, attributes: attrs(e.attributes) })),
                status: { code: s.status?.code ?? 0, message: s.status?.message ?? '' },
                flags: s.flags,
                scope: ss.scope?.name,
                resource,
              });
        }
        res.writeHead(200, { 'content-type': 'application/x-protobuf' });
        res.end(Buffer.from(v1.ExportTraceServiceResponse.encode({}).finish()));
      } catch (e) {
        errors.push(String(e));
        res.writeHead(400);
        res.end();
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    spans,
    exports,
    errors,
    async stop() {
      for (const r of held) r.destroy();
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
