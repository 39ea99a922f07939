// Schema building against graphql-js 16: each SDL (cases.json) is built by
// `bff-schema print` and by graphql-js (buildSchema, which runs the SDL
// rules, then validateSchema). Both must accept or reject it; rejected ones
// must report the same set of messages; accepted ones must print the same
// schema (printSchema).
//
// usage: node run.mjs BFF_SCHEMA_BINARY
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '../../node/package.json'));
const g = require('graphql');
console.log(`oracle: graphql-js ${require('graphql').version}`);
const bin = process.argv[2];
const cases = JSON.parse(readFileSync(join(here, 'cases.json'), 'utf8'));
const dir = mkdtempSync(join(tmpdir(), 'bff-sdl-'));
let failures = 0, rejected = 0;
cases.forEach((sdl, i) => {
  let want;
  try {
    const schema = g.buildSchema(sdl);
    const errs = g.validateSchema(schema).map((e) => e.message);
    want = errs.length ? { ok: false, messages: errs } : { ok: true, printed: g.printSchema(schema) };
  } catch (e) {
    want = { ok: false, messages: e.message.split('\n\n') };
  }
  const file = join(dir, `${i}.graphql`);
  writeFileSync(file, sdl);
  const r = spawnSync(bin, ['print', '--schema', file], { encoding: 'utf8' });
  const got = r.status === 0
    ? { ok: true, printed: r.stdout.replace(/\n$/, '') }
    : { ok: false, messages: r.stderr.split('\n').filter((l) => l.startsWith('schema: ')).map((l) => l.slice(8)) };
  let why = null;
  if (want.ok !== got.ok) why = `graphql-js ${want.ok ? 'accepts' : 'rejects'}, bff ${got.ok ? 'accepts' : 'rejects'}`;
  else if (want.ok && want.printed !== got.printed) why = 'printed schemas differ';
  else if (!want.ok && JSON.stringify([...want.messages].sort()) !== JSON.stringify([...got.messages].sort())) why = 'messages differ';
  if (!want.ok) rejected++;
  if (why) {
    failures++;
    console.log(`FAIL #${i} ${why}: ${sdl}\n  graphql-js: ${JSON.stringify(want)}\n  bff:        ${JSON.stringify(got)}`);
  }
});
rmSync(dir, { recursive: true, force: true });
console.log(`schema building: ${cases.length} SDLs (${rejected} invalid), ${failures} disagreements with graphql-js`);
process.exit(failures ? 1 : 0);
