// Engine differential test: our documents (docs/*.graphql, separated by
// lines starting with "#---") go through graphql-js 16 (the newest 16.x, pinned in tests/node: the oracle) and
// through `bff-schema validate` against the same SDL (schema.graphql).
// Accept/reject must agree on every document, the failing stage (parse or
// validate) must agree, and on invalid documents the set of violated rules
// must agree. The corpus itself is checked too: at least 400 documents and
// every graphql-js validation rule violated by at least 3 of them.
//
// Message texts are compared and reported, but only counted as failures with
// --strict-messages (messages are "close to graphql-js's", not identical).
//
// usage: node run.mjs BFF_SCHEMA_BINARY [--oracle-only] [--verbose] [--strict-messages]
import { createRequire } from 'node:module';
import { readFileSync, readdirSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { deliberateDifference } from '../deliberate.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '../../node/package.json'));
const { parse, validate, buildSchema, specifiedRules } = require('graphql');
console.log(`oracle: graphql-js ${require('graphql').version}`);

const args = process.argv.slice(2);
const bin = args.find((a) => !a.startsWith('--'));
const oracleOnly = args.includes('--oracle-only');
const verbose = args.includes('--verbose');
const strictMessages = args.includes('--strict-messages');
if (!bin && !oracleOnly) {
  console.error('usage: node run.mjs BFF_SCHEMA_BINARY [--oracle-only] [--verbose] [--strict-messages]');
  process.exit(2);
}

const schemaPath = join(here, 'schema.graphql');
const schema = buildSchema(readFileSync(schemaPath, 'utf8'));

const docs = [];
for (const f of readdirSync(join(here, 'docs')).sort()) {
  if (!f.endsWith('.graphql')) continue;
  const parts = readFileSync(join(here, 'docs', f), 'utf8').split(/^#---.*\n/m);
  parts.forEach((text, i) => {
    if (text.trim().length === 0 && i > 0) return;
    docs.push({ name: `${f}#${i + 1}`, text });
  });
}

function oracle(text) {
  let doc;
  try {
    doc = parse(text);
  } catch (e) {
    return { accepted: false, stage: 'parse', rules: [], messages: [e.message] };
  }
  const rules = [];
  for (const rule of specifiedRules) {
    if (validate(schema, doc, [rule]).length > 0) rules.push(rule.name);
  }
  const all = validate(schema, doc);
  return {
    accepted: all.length === 0,
    stage: all.length ? 'validate' : null,
    rules: rules.sort(),
    messages: all.map((e) => e.message),
  };
}

const expected = docs.map((d) => oracle(d.text));

// corpus coverage
const hits = Object.fromEntries(specifiedRules.map((r) => [r.name, 0]));
for (const e of expected) for (const r of e.rules) hits[r]++;
const accepted = expected.filter((e) => e.accepted).length;
const parseFailures = expected.filter((e) => e.stage === 'parse').length;
console.log(`corpus: ${docs.length} documents, ${accepted} valid, ${parseFailures} syntax errors`);
let coverageProblems = 0;
if (docs.length < 400) {
  console.log(`corpus too small: ${docs.length} < 400 documents`);
  coverageProblems++;
}
for (const [rule, n] of Object.entries(hits)) {
  if (verbose || n < 3) console.log(`  ${rule}: ${n}`);
  if (n < 3) coverageProblems++;
}
if (oracleOnly) {
  if (verbose) docs.forEach((d, i) => console.log(`${d.name}: ${JSON.stringify(expected[i])}`));
  process.exit(coverageProblems ? 1 : 0);
}

const dir = mkdtempSync(join(tmpdir(), 'bff-diff-'));
const files = docs.map((d, i) => {
  const p = join(dir, `${String(i).padStart(4, '0')}.graphql`);
  writeFileSync(p, d.text);
  return p;
});
const run = spawnSync(bin, ['validate', '--schema', schemaPath, ...files], { maxBuffer: 1 << 28, encoding: 'utf8' });
rmSync(dir, { recursive: true, force: true });
if (run.status !== 0) {
  console.error(`bff-schema validate failed (status ${run.status}, signal ${run.signal}):\n${run.stderr}`);
  process.exit(1);
}
const results = run.stdout.split('\n').filter((l) => l.length).map((l) => JSON.parse(l));
if (results.length !== docs.length) {
  console.error(`expected ${docs.length} results, got ${results.length}`);
  process.exit(1);
}

let failures = 0, messageDiffs = 0, deliberate = 0;
for (let i = 0; i < docs.length; i++) {
  const want = expected[i];
  const got = results[i];
  const gotRules = [...new Set(got.errors.map((e) => e.rule).filter((r) => r))].sort();
  // the September 2025 spec's rules graphql-js 16 lacks (../deliberate.mjs): the messages agree but for
  // exactly those (checked there), so the document is counted apart
  const diff = deliberateDifference(want.messages, got.errors.map((e) => e.message));
  if (diff) {
    deliberate++;
    if (verbose) console.log(`deliberate ${docs[i].name}: ${JSON.stringify(diff)}`);
    continue;
  }
  let why = null;
  if (want.accepted !== got.accepted) why = `graphql-js ${want.accepted ? 'accepts' : 'rejects'}, bff ${got.accepted ? 'accepts' : 'rejects'}`;
  else if (want.stage !== got.stage) why = `stage ${want.stage} vs ${got.stage}`;
  else if (JSON.stringify(want.rules) !== JSON.stringify(gotRules)) why = `rules ${want.rules.join(',')} vs ${gotRules.join(',')}`;
  const gotMessages = got.errors.map((e) => e.message);
  const sameMessages = JSON.stringify([...want.messages].sort()) === JSON.stringify([...gotMessages].sort());
  if (!why && !sameMessages) {
    messageDiffs++;
    if (strictMessages) why = 'messages differ';
  }
  if (why || (verbose && !sameMessages)) {
    if (why) failures++;
    if (failures <= 30 || verbose) {
      console.log(`${why ? 'MISMATCH' : 'message difference'} ${docs[i].name}: ${why || ''}`);
      console.log(`  doc: ${JSON.stringify(docs[i].text).slice(0, 400)}`);
      console.log(`  graphql-js: ${JSON.stringify(want.messages).slice(0, 600)}`);
      console.log(`  bff:        ${JSON.stringify(gotMessages).slice(0, 600)}`);
    }
  }
}
console.log(`differential: ${docs.length} documents, ${failures} mismatches, ${messageDiffs} with different message texts, ${deliberate} deliberate (the September 2025 spec's rules)`);
process.exit(failures || coverageProblems ? 1 : 0);
