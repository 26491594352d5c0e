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
