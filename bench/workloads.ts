// Benchmark workloads, shared by every engine in a run: same statements, same requests, fixed seed.

/** A deterministic PRNG (mulberry32), so every run sees the same requests. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const PRINCIPAL = "arn:aws:iam::111111111111:user/bench";

/**
 * N allow statements `svc{i%50}:Get{i}` on `arn:aws:svc{i%50}:::bucket{i}/*`, in policies of 100
 * statements, plus a few denies on `/secret/*`, all held by one principal.
 */
export function standardManifest(n: number): unknown {
  const policies: { id: string; document: unknown }[] = [];
  for (let start = 0; start < n; start += 100) {
    const statements = [];
    for (let i = start; i < Math.min(n, start + 100); i++) {
      statements.push({ Effect: "Allow", Action: `svc${i % 50}:Get${i}`, Resource: `arn:aws:svc${i % 50}:::bucket${i}/*` });
    }
    policies.push({ id: `P${start / 100}`, document: { Version: "2012-10-17", Statement: statements } });
  }
  policies.push({
    id: "DenySecrets",
    document: {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Deny", Action: "*", Resource: "arn:aws:*:::*/secret/*" },
        { Effect: "Deny", Action: "svc1:*", Resource: "arn:aws:svc1:::*/private/*" },
      ],
    },
  });
  return {
    model: "aws",
    policies,
    principals: [{ id: PRINCIPAL, account: "111111111111", policies: policies.map((p) => p.id) }],
  };
}

export interface BenchRequest {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly context?: Readonly<Record<string, string | boolean | readonly string[]>>;
}

/** A mix of allow, implicit deny and explicit deny requests over the standard workload. */
export function standardRequests(n: number, count: number, seed = 42): BenchRequest[] {
  const next = random(seed);
  const out: BenchRequest[] = [];
  for (let k = 0; k < count; k++) {
    const i = Math.floor(next() * n);
    const kind = k % 3;
    const action = `svc${i % 50}:Get${i}`;
    const resource = kind === 0 ? `arn:aws:svc${i % 50}:::bucket${i}/data/object-${k}.json`
      : kind === 1 ? `arn:aws:svc${i % 50}:::bucket${(i + 1) % n === i ? i + 1 : (i + 1) % n}/data/x`
        : `arn:aws:svc${i % 50}:::bucket${i}/secret/key-${k}`;
    out.push({ principal: PRINCIPAL, action, resource });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Variant workloads: the standard one with one feature that costs engines more.

/** A workload: a manifest with N statements and its requests. */
export interface Workload {
  readonly name: string;
  readonly description: string;
  readonly manifest: (n: number) => unknown;
  readonly requests: (n: number, count: number, seed?: number) => BenchRequest[];
}

const DENY_SECRETS = {
  id: "DenySecrets",
  document: {
    Version: "2012-10-17",
    Statement: [{ Effect: "Deny", Action: "*", Resource: "arn:aws:*:::*/secret/*" }],
  },
};

/** Statements built by `statement(i)`, 100 to a policy, plus the secret deny. */
function policiesOf(n: number, statement: (i: number) => unknown): { id: string; document: unknown }[] {
  const policies: { id: string; document: unknown }[] = [];
  for (let start = 0; start < n; start += 100) {
    const statements = [];
    for (let i = start; i < Math.min(n, start + 100); i++) statements.push(statement(i));
    policies.push({ id: `P${start / 100}`, document: { Version: "2012-10-17", Statement: statements } });
  }
  return [...policies, DENY_SECRETS];
}

/**
 * Conditions on the request: every allow needs TLS and a source address in its own /16. The
 * conditions stay open in the table and are evaluated at check time.
 */
export const conditionsWorkload: Workload = {
  name: "conditions",
  description: "each allow adds `Bool aws:SecureTransport` and `IpAddress aws:SourceIp 10.{i%250}.0.0/16`; requests carry both keys",
  manifest: (n) => {
    const policies = policiesOf(n, (i) => ({
      Effect: "Allow", Action: `svc${i % 50}:Get${i}`, Resource: `arn:aws:svc${i % 50}:::bucket${i}/*`,
      Condition: { Bool: { "aws:SecureTransport": "true" }, IpAddress: { "aws:SourceIp": `10.${i % 250}.0.0/16` } },
    }));
    return { model: "aws", policies, principals: [{ id: PRINCIPAL, account: "111111111111", policies: policies.map((p) => p.id) }] };
  },
  requests: (n, count, seed = 42) => {
    const next = random(seed);
    return Array.from({ length: count }, (_, k) => {
      const i = Math.floor(next() * n);
      const kind = k % 4;
      const resource = `arn:aws:svc${i % 50}:::bucket${i}/${kind === 3 ? "secret" : "data"}/object-${k}.json`;
      const ip = kind === 1 ? `192.168.${k % 256}.1` : `10.${i % 250}.${k % 256}.7`;
      return { principal: PRINCIPAL, action: `svc${i % 50}:Get${i}`, resource, context: { "aws:SecureTransport": kind !== 2, "aws:SourceIp": ip } };
    });
  },
};

/** Mid-string wildcards: `arn:aws:svc{i%50}:::app{i}-*\/logs/*`, one automaton pattern each. */
export const wildcardsWorkload: Workload = {
  name: "wildcards",
  description: "each allow's resource is `arn:aws:svc{i%50}:::app{i}-*/logs/*` (a `*` mid-string)",
  manifest: (n) => {
    const policies = policiesOf(n, (i) => ({ Effect: "Allow", Action: `svc${i % 50}:Get${i}`, Resource: `arn:aws:svc${i % 50}:::app${i}-*/logs/*` }));
    return { model: "aws", policies, principals: [{ id: PRINCIPAL, account: "111111111111", policies: policies.map((p) => p.id) }] };
  },
  requests: (n, count, seed = 42) => {
    const next = random(seed);
    return Array.from({ length: count }, (_, k) => {
      const i = Math.floor(next() * n);
      const kind = k % 3;
      const path = kind === 0 ? `logs/day-${k}.json` : kind === 1 ? `data/day-${k}.json` : `logs/secret/key-${k}`;
      return { principal: PRINCIPAL, action: `svc${i % 50}:Get${i}`, resource: `arn:aws:svc${i % 50}:::app${i}-env${k % 7}/${path}` };
    });
  },
};

/** Users of the roles workload. */
const ROLE_USERS = 1000;

/**
 * Many principals sharing roles: 1,000 users, each in two of max(2, N/100) groups; each group
 * holds one policy of 100 statements (and the secret deny).
 */
export const rolesWorkload: Workload = {
  name: "roles",
  description: "1,000 users, each in 2 of max(2, N/100) groups holding 100-statement policies",
  manifest: (n) => {
    const policies = policiesOf(n, (i) => ({ Effect: "Allow", Action: `svc${i % 50}:Get${i}`, Resource: `arn:aws:svc${i % 50}:::bucket${i}/*` }));
    const allowPolicies = policies.filter((p) => p.id !== DENY_SECRETS.id);
    const groupCount = Math.max(2, allowPolicies.length);
    const groups = Array.from({ length: groupCount }, (_, g) => ({
      id: `team${g}`, account: "111111111111", policies: [allowPolicies[g % allowPolicies.length]!.id, DENY_SECRETS.id],
    }));
    const principals = Array.from({ length: ROLE_USERS }, (_, u) => ({
      id: roleUser(u), account: "111111111111", groups: userGroups(u, groupCount).map((g) => `team${g}`),
    }));
    return { model: "aws", policies, groups, principals };
  },
  requests: (n, count, seed = 42) => {
    const next = random(seed);
    const groupCount = Math.max(2, Math.ceil(n / 100));
    return Array.from({ length: count }, (_, k) => {
      const u = Math.floor(next() * ROLE_USERS);
      const groups = userGroups(u, groupCount);
      // Allow: a statement of one of the user's groups; implicit deny: of another group.
      const g = k % 3 === 1 ? (groups[0]! + 1 === groups[1]! ? groups[1]! + 1 : groups[0]! + 1) % groupCount : groups[k % 2]!;
      const i = Math.min(n - 1, (g % Math.ceil(n / 100)) * 100 + Math.floor(next() * 100));
      const path = k % 3 === 2 ? `secret/key-${k}` : `data/object-${k}.json`;
      return { principal: roleUser(u), action: `svc${i % 50}:Get${i}`, resource: `arn:aws:svc${i % 50}:::bucket${i}/${path}` };
    });
  },
};

function roleUser(u: number): string {
  return `arn:aws:iam::111111111111:user/u${u}`;
}

/** Two distinct groups of user u, in order. */
function userGroups(u: number, groupCount: number): [number, number] {
  const a = (u * 7919) % groupCount;
  const b = (a + 1 + ((u * 104729) % (groupCount - 1))) % groupCount;
  return a < b ? [a, b] : [b, a];
}

export const VARIANT_WORKLOADS: readonly Workload[] = [conditionsWorkload, wildcardsWorkload, rolesWorkload];
