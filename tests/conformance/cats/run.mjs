// graphql-cats (tests/conformance/external/graphql-cats): the parsing and
// validation scenarios run through `bff-schema` and through graphql-js 16;
// the verdicts (accept/reject, and for validation the number of errors and
// the rules that fired) must agree on every test. The scenario's own
// expectation (written for graphql-js of 2018) is checked too and reported;
// where graphql-js 16 itself departs from it, graphql-js decides (the test
// prints those cases). The execution scenarios are not run here: they need
// resolvers driven by directives in their SDL (see the closing notes).
//
// usage: node run.mjs BFF_SCHEMA_BINARY
import { createRequire } from 'node:module';
import { readFileSync, readdirSync, writeFileSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../../..');
const require = createRequire(join(root, 'tests/node/package.json'));
const g = require('graphql');
console.log(`oracle: graphql-js ${require('graphql').version}`);
const yaml = require('js-yaml');
const bin = process.argv[2];
const cats = join(root, 'tests/conformance/external/graphql-cats/scenarios');
if (!existsSync(cats)) {
  console.error(`graphql-cats scenarios not found at ${cats}`);
  process.exit(1);
}
const dir = mkdtempSync(join(tmpdir(), 'bff-cats-'));
let n = 0, failures = 0, departures = 0;

function ours(args) {
  const r = spawnSync(bin, args, { encoding: 'utf8', input: args[0] === 'parse' ? undefined : undefined });
  if (r.status !== 0) throw new Error(`bff-schema ${args.join(' ')}: status ${r.status}: ${r.stderr}`);
  return r.stdout;
}

function thenList(then) {
  return Array.isArray(then) ? then : [then];
}

for (const sub of ['parsing', 'validation']) {
  for (const f of readdirSync(join(cats, sub)).filter((x) => x.endsWith('.yaml')).sort()) {
    const scenario = yaml.load(readFileSync(join(cats, sub, f), 'utf8'));
    for (const t of scenario.tests) {
      n++;
      const name = `${sub}/${f}: ${t.name}`;
      const query = t.given.query;
      const expectPass = thenList(t.then).some((a) => a.passes === true);
      try {
        if (t.when.parse) {
          let jsOk = true;
          try { g.parse(query); } catch { jsOk = false; }
          const out = spawnSync(bin, ['parse'], { input: JSON.stringify([query]), encoding: 'utf8' });
          const got = JSON.parse(out.stdout.trim());
          if (got.ok !== jsOk) throw new Error(`graphql-js ${jsOk ? 'accepts' : 'rejects'}, bff ${got.ok ? 'accepts' : 'rejects'}`);
          if (jsOk !== expectPass) { departures++; console.log(`note: graphql-js 16 departs from the scenario: ${name}`); }
        } else if (t.when.validate) {
          const bg = scenario.background || {};
          const schemaFile = t.given['schema-file'] || bg['schema-file'];
          const schemaText = t.given.schema || bg.schema || readFileSync(join(cats, sub, schemaFile), 'utf8');
          const schemaPath = join(dir, `schema-${n}.graphql`);
          writeFileSync(schemaPath, schemaText);
          const docPath = join(dir, `doc-${n}.graphql`);
          writeFileSync(docPath, query);
          const ruleNames = t.when.validate.map((r) => (r.endsWith('Rule') ? r : `${r}Rule`));
          const schema = g.buildASTSchema(g.parse(schemaText), { assumeValidSDL: true });
          const rules = g.specifiedRules.filter((r) => ruleNames.includes(r.name));
          if (rules.length !== ruleNames.length) throw new Error(`unknown rule in ${ruleNames}`);
          let jsErrors;
          try { jsErrors = g.validate(schema, g.parse(query), rules); } catch (e) { jsErrors = [{ message: e.message }]; }
          const line = JSON.parse(ours(['validate', '--assume-valid-sdl', '--schema', schemaPath, '--rules', ruleNames.join(','), docPath]).trim());
          const jsAccepts = jsErrors.length === 0;
          if (line.accepted !== jsAccepts) throw new Error(`graphql-js ${jsAccepts ? 'accepts' : 'rejects'}, bff ${line.accepted ? 'accepts' : 'rejects'}: ${JSON.stringify(line.errors)} vs ${JSON.stringify(jsErrors.map((e) => e.message))}`);
          if (line.errors.length !== jsErrors.length) throw new Error(`error counts ${jsErrors.length} vs ${line.errors.length}`);
          const jsMessages = jsErrors.map((e) => e.message).sort();
          const ourMessages = line.errors.map((e) => e.message).sort();
          if (JSON.stringify(jsMessages) !== JSON.stringify(ourMessages)) throw new Error(`messages differ: ${JSON.stringify(jsMessages)} vs ${JSON.stringify(ourMessages)}`);
          const count = thenList(t.then).find((a) => a['error-count'] !== undefined);
          if (jsAccepts !== expectPass || (count && count['error-count'] !== jsErrors.length)) {
            departures++;
            console.log(`note: graphql-js 16 departs from the scenario: ${name}`);
          }
        } else {
          n--; // execution scenarios: not run here
          continue;
        }
      } catch (e) {
        failures++;
        console.log(`FAIL ${name}: ${e.message.slice(0, 800)}`);
      }
    }
  }
}
rmSync(dir, { recursive: true, force: true });
console.log(`graphql-cats: ${n} parse and validation tests, ${failures} disagreements with graphql-js, ${departures} where graphql-js 16 departs from the 2018 scenario`);
process.exit(failures || n < 79 ? 1 : 0);
