// Helpers of the adversarial suite: the real server beside the real simulator,
// callers with chosen scopes, and the simulator's per-provider call counters
// (the ledger that says whether a provider was reached, whatever we answered).
import { createHash } from 'node:crypto';
import { startServer, startSim } from '../integration/lib.mjs';

export { sleep, root, requireNode, sealId, DEMO_CART } from '../integration/lib.mjs';

export const sha256 = (s) => createHash('sha256').update(s).digest('hex');
export const ADMIN = 'security-suite-admin';

// keys: { name: [scopes] } -> API keys "<name>-key" with those scopes (tier storefront)
export async function startStack({ anonymousScopes = '', keys = {}, env = {}, threads = 1 } = {}) {
  const sim = await startSim();
  const apiKeys = {};
  for (const [name, scopes] of Object.entries(keys))
    apiKeys[sha256(`${name}-key`)] = { client: name, channel: 'web', tier: 'storefront', scopes };
  const srv = await startServer({
    env: {
      BFF_PROVIDERS_URL: sim.url,
      BFF_ANONYMOUS_SCOPES: anonymousScopes,
      BFF_API_KEYS: JSON.stringify(apiKeys),
      BFF_TIERS: '{"anonymous": {"bucket": 1e12, "restore_per_second": 1e12}, "storefront": {"bucket": 1e12, "restore_per_second": 1e12}}',
      BFF_ADMIN_KEY_SHA256: sha256(ADMIN),
      ...env,
    },
    threads,
  });
  const simCall = async (method, path, body) =>
    (await fetch(sim.url + path, { method, body: body ? JSON.stringify(body) : undefined })).json();
  return {
    sim,
    srv,
    simCall,
    // provider name -> requests the simulator has seen
    async calls() {
      const s = await simCall('GET', '/_sim/stats');
      return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v.requests]));
    },
    async gql(query, variables, { key, headers = {}, extensions, operationName } = {}) {
      const h = { 'content-type': 'application/json', ...headers };
      if (key) h['x-api-key'] = `${key}-key`;
      const res = await fetch(`${srv.url}/graphql`, {
        method: 'POST',
        headers: h,
        body: JSON.stringify({ query, variables, extensions, operationName }),
      });
      return { status: res.status, ...(await res.json()) };
    },
    async stop() {
      const r = await srv.stop();
      await sim.stop();
      return r;
    },
  };
}

// The providers whose data needs a scope: a caller without it must never reach them.
export const SCOPED_PROVIDERS = { carts: 'cart:read', orders: 'orders:read', customers: 'customers:read' };

// A fan-out of fragments: level i spreads level i+1 twice, `levels` deep, the last one holding `leaf`.
export function fanOut(typeName, levels, leaf, prefix = 'F') {
  const parts = [];
  for (let i = 0; i < levels; i++) parts.push(`fragment ${prefix}${i} on ${typeName} { ...${prefix}${i + 1} ...${prefix}${i + 1} }`);
  parts.push(`fragment ${prefix}${levels} on ${typeName} { ${leaf} }`);
  return parts.join('\n');
}
