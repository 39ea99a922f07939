// Memory per idle HTTP/2 connection: opens N cleartext HTTP/2 sessions to the
// server (each completes its handshake and one request, then stays open, idle),
// reads the server's RSS before and after from /proc, and prints
// {"connections": N, "rss_before_kb", "rss_after_kb", "per_connection_bytes"}.
//   node bench/http/idle.mjs URL SERVER_PID N
import http2 from 'node:http2';
import { readFileSync } from 'node:fs';

const [url, pid, n] = [process.argv[2], process.argv[3], Number(process.argv[4] || 5000)];
const rss = () => Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const before = rss();
const sessions = [];
for (let i = 0; i < n; i += 250) {
  const batch = [];
  for (let k = i; k < Math.min(n, i + 250); k++) {
    batch.push(new Promise((resolve, reject) => {
      const s = http2.connect(url);
      s.on('error', reject);
      const req = s.request({ ':method': 'GET', ':path': '/healthz' });
      req.on('response', () => {});
      req.on('data', () => {});
      req.on('end', () => resolve(s));
      req.end();
    }));
  }
  sessions.push(...(await Promise.all(batch)));
}
await sleep(500);
const after = rss();
console.log(JSON.stringify({ connections: sessions.length, rss_before_kb: before, rss_after_kb: after, per_connection_bytes: Math.round(((after - before) * 1024) / sessions.length) }));
for (const s of sessions) s.destroy();
process.exit(0);
