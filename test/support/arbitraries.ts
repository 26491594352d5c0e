// fast-check generators of random AWS workspaces and requests, drawn from small pools so that
// patterns, principals and resources collide often (collisions are where bugs live).
import fc from "fast-check";

export const ACCOUNTS = ["111111111111", "222222222222", "333333333333"];

export const PRINCIPALS = [
  "arn:aws:iam::111111111111:user/alice",
  "arn:aws:iam::111111111111:role/ops",
  "arn:aws:iam::222222222222:user/bob",
  "arn:aws:iam::222222222222:role/ci",
  "arn:aws:iam::333333333333:user/team/eve",
];

/** Callers the manifest may not list: another account, an unlisted user of a listed one, a service. */
export const OUTSIDERS = [
  "arn:aws:iam::444444444444:user/mallory",
  "arn:aws:iam::111111111111:user/ghost",
  "s3.amazonaws.com",
];

const ACTION_PATTERNS = [
  "*", "s3:*", "s3:Get*", "s3:GetObject", "S3:putobject", "sqs:Send?essage", "kms:*", "*:Get*",
  "iam:Create*", "s3:*Object", "s3:List*", "kms:Decrypt",
];
export const ACTIONS = [
  "s3:GetObject", "s3:PutObject", "s3:ListBucket", "S3:GETOBJECT", "sqs:SendMessage", "kms:Decrypt",
  "kms:Encrypt", "iam:CreateUser", "ec2:RunInstances", "s3:DeleteObject",
];

const RESOURCE_PATTERNS = [
  "*", "arn:aws:s3:::app-data", "arn:aws:s3:::app-data/*", "arn:aws:s3:::app-*", "arn:aws:s3:::*/reports/*",
  "arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::app-data/${aws:PrincipalTag/team}/*",
  "arn:aws:sqs:*:111111111111:*", "arn:aws:kms:*:*:key/*", "arn:aws:s3:::app-data/?lice/*",
  "arn:aws:s3:::app-data/${aws:userid}/*", "arn:aws:s3:::home/${aws:PrincipalTag/nope, 'shared'}/*",
  "arn:aws:s3:::home/${*}", "arn:aws:*:*:222222222222:*",
];
export const RESOURCES = [
  "arn:aws:s3:::app-data", "arn:aws:s3:::app-data/reports/q1.csv", "arn:aws:s3:::app-data/alice/x",
  "arn:aws:s3:::app-data/red/y", "arn:aws:s3:::home/bob/notes", "arn:aws:s3:::home/alice/x",
  "arn:aws:s3:::home/shared/z", "arn:aws:s3:::home/*", "arn:aws:s3:::other-bucket/k",
  "arn:aws:sqs:us-east-1:111111111111:queue", "arn:aws:sqs:us-east-1:444444444444:queue",
  "arn:aws:kms:us-east-1:111111111111:key/k1", "arn:aws:kms:us-east-1:222222222222:key/k2",
  "arn:aws:iam::111111111111:user/alice", "arn:aws:s3:::app-data/u-42/x",
];

const CONDITIONS: Record<string, Record<string, unknown>>[] = [
  { Bool: { "aws:SecureTransport": "true" } },
  { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } },
  { StringEquals: { "aws:PrincipalTag/team": ["red", "blue"] } },
  { StringNotEquals: { "aws:PrincipalTag/team": "red" } },
  { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } },
  { NotIpAddress: { "aws:SourceIp": ["10.1.0.0/16"] } },
  { StringLike: { "s3:prefix": ["${aws:username}/*"] } },
  { Null: { "aws:PrincipalTag/env": "true" } },
  { "ForAnyValue:StringEquals": { "aws:TagKeys": ["a", "b"] } },
  { "ForAllValues:StringLike": { "aws:TagKeys": ["a*"] } },
  { ArnLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/*" } },
  { StringEquals: { "aws:PrincipalAccount": "111111111111" } },
  { NumericLessThan: { "s3:max-keys": "10" } },
  { StringEqualsIgnoreCase: { "aws:RequestTag/env": "${aws:PrincipalTag/env}" } },
  { StringEquals: { "aws:ResourceAccount": ["111111111111", "222222222222"] } },
  { StringEquals: { "aws:username": "${aws:PrincipalTag/owner}" } },
  { StringNotEqualsIfExists: { "aws:RequestedRegion": "us-east-1" } },
  { StringEquals: { "aws:PrincipalTag/team": "${aws:RequestTag/team}" } },
  { DateGreaterThan: { "aws:CurrentTime": "2024-01-01T00:00:00Z" } },
];

const pick = <T>(pool: readonly T[]) => fc.constantFrom(...pool);
const some = <T>(pool: readonly T[], max: number) => fc.uniqueArray(pick(pool), { minLength: 1, maxLength: max });
const oneOrMany = (values: string[]) => (values.length === 1 ? values[0]! : values);

const condition = fc.option(
  fc.uniqueArray(fc.integer({ min: 0, max: CONDITIONS.length - 1 }), { minLength: 1, maxLength: 2 }).map((ids) => {
    const out: Record<string, Record<string, unknown>> = {};
    for (const id of ids) {
      for (const [op, keys] of Object.entries(CONDITIONS[id]!)) out[op] = { ...(out[op] ?? {}), ...keys };
    }
    return out;
  }),
  { freq: 2 },
);

function statement(withPrincipal: boolean) {
  return fc.record({
    effect: fc.constantFrom("Allow", "Allow", "Allow", "Allow", "Deny"),
    actions: some(ACTION_PATTERNS, 3),
    notActionFlag: fc.integer({ min: 0, max: 5 }),
    resources: some(RESOURCE_PATTERNS, 3),
    notResourceFlag: fc.integer({ min: 0, max: 5 }),
    condition,
    principals: some([...new Set(["*", ...ACCOUNTS, "arn:aws:iam::111111111111:root", ...PRINCIPALS, OUTSIDERS[0]!, OUTSIDERS[1]!])], 3),
    principalForm: fc.integer({ min: 0, max: 5 }),
    sid: fc.option(fc.constantFrom("A", "B", "Grant"), { freq: 3 }),
  }).map((s) => {
    const out: Record<string, unknown> = {};
    if (s.sid !== null) out.Sid = s.sid;
    out.Effect = s.effect;
    if (withPrincipal) {
      if (s.principalForm === 0) out.Principal = "*";
      else if (s.principalForm === 1) out.NotPrincipal = { AWS: oneOrMany(s.principals.filter((p) => p !== "*").length > 0 ? s.principals.filter((p) => p !== "*") : [ACCOUNTS[0]!]) };
      else out.Principal = { AWS: oneOrMany(s.principals) };
    }
    out[s.notActionFlag === 0 ? "NotAction" : "Action"] = oneOrMany(s.actions);
    out[s.notResourceFlag === 0 ? "NotResource" : "Resource"] = oneOrMany(s.resources);
    if (s.condition !== null) out.Condition = s.condition;
    return out;
  });
}

function policy(id: string, withPrincipal: boolean) {
  return fc.record({
    version: fc.constantFrom("2012-10-17", "2012-10-17", "2012-10-17", "2008-10-17"),
    statements: fc.array(statement(withPrincipal), { minLength: 1, maxLength: 4 }),
    // Now and then a plain broad grant, so that requests get through often enough to exercise allows.
    broad: fc.option(fc.record({ action: pick(["s3:*", "*", "kms:*", "sqs:*"]), resource: pick(["*", "arn:aws:s3:::*", "arn:aws:*:*:111111111111:*"]) }), { freq: 2 }),
  }).map((p) => {
    const statements = [...p.statements];
    if (p.broad !== null) statements.push({ Effect: "Allow", ...(withPrincipal ? { Principal: "*" } : {}), Action: p.broad.action, Resource: p.broad.resource });
    return { id, document: { Version: p.version, Statement: statements } };
  });
}

/** Organization policies: as in real organizations, mostly allow-all with a few guardrails. */
function guardrail(id: string, withPrincipal: boolean) {
  return fc.record({
    allowAll: fc.integer({ min: 0, max: 4 }),
    statements: fc.array(statement(withPrincipal), { maxLength: 2 }),
  }).map((p) => {
    const statements = [...p.statements];
    if (p.allowAll > 0) statements.unshift({ Effect: "Allow", ...(withPrincipal ? { Principal: "*" } : {}), Action: "*", Resource: "*" });
    if (statements.length === 0) statements.push({ Effect: "Allow", ...(withPrincipal ? { Principal: "*" } : {}), Action: "s3:*", Resource: "*" });
    return { id, document: { Version: "2012-10-17", Statement: statements } };
  });
}

const IDENTITY = ["P1", "P2", "P3", "P4", "P5"];
const BOUNDARY = ["B1", "B2"];
const RESOURCE_POLICIES = ["R1", "R2", "R3"];
const SCPS = ["S1", "S2", "S3"];
const RCPS = ["C1", "C2"];

const levels = (ids: string[]) => fc.array(some(ids, 2), { maxLength: 2 });

/** A random workspace manifest (inline policies), valid by construction. */
export const manifestArbitrary = fc.record({
  identity: fc.tuple(...IDENTITY.map((id) => policy(id, false))),
  boundary: fc.tuple(...BOUNDARY.map((id) => policy(id, false))),
  resource: fc.tuple(...RESOURCE_POLICIES.map((id) => policy(id, true))),
  scp: fc.tuple(...SCPS.map((id) => guardrail(id, false))),
  rcp: fc.tuple(...RCPS.map((id) => guardrail(id, true))),
  accounts: fc.tuple(...ACCOUNTS.map((id) => fc.record({ id: fc.constant(id), scps: levels(SCPS), rcps: levels(RCPS), listed: fc.boolean() }))),
  groups: fc.tuple(fc.uniqueArray(pick(IDENTITY), { maxLength: 2 }), fc.uniqueArray(pick(IDENTITY), { maxLength: 2 })),
  principals: fc.uniqueArray(
    fc.record({
      id: pick(PRINCIPALS),
      policies: fc.uniqueArray(pick(IDENTITY), { maxLength: 3 }),
      groups: fc.uniqueArray(pick(["G1", "G2"]), { maxLength: 2 }),
      boundary: fc.option(pick(BOUNDARY), { freq: 3 }),
      session: fc.option(fc.uniqueArray(pick(IDENTITY), { maxLength: 2 }), { freq: 5 }),
      team: fc.option(pick(["red", "blue"]), { freq: 4 }),
      env: fc.option(pick(["dev", "prod"]), { freq: 2 }),
      owner: fc.option(pick(["alice", "bob"]), { freq: 2 }),
      withAccount: fc.integer({ min: 0, max: 6 }),
    }),
    { minLength: 1, maxLength: 5, selector: (p) => p.id },
  ),
  resources: fc.uniqueArray(
    fc.record({
      id: pick(["arn:aws:s3:::app-data", "arn:aws:s3:::home", "arn:aws:sqs:us-east-1:111111111111:queue",
        "arn:aws:kms:us-east-1:111111111111:key/k1", "arn:aws:kms:us-east-1:222222222222:key/k2", "arn:aws:s3:::app-data/reports/q1.csv"]),
      account: fc.option(pick(ACCOUNTS), { freq: 5 }),
      policy: fc.option(pick(RESOURCE_POLICIES), { freq: 4 }),
    }),
    { maxLength: 4, selector: (r) => r.id },
  ),
}).map((w) => ({
  model: "aws",
  policies: [...w.identity, ...w.boundary, ...w.resource, ...w.scp, ...w.rcp],
  accounts: w.accounts.filter((a) => a.listed).map((a) => ({ id: a.id, scps: a.scps, rcps: a.rcps })),
  groups: [{ id: "G1", policies: w.groups[0] }, { id: "G2", policies: w.groups[1] }],
  principals: w.principals.map((p) => {
    const tags: Record<string, string> = {};
    if (p.team !== null) tags.team = p.team;
    if (p.env !== null) tags.env = p.env;
    if (p.owner !== null) tags.owner = p.owner;
    const out: Record<string, unknown> = { id: p.id, policies: p.policies, groups: p.groups, tags };
    if (p.withAccount > 0) out.account = p.id.split(":")[4];
    if (p.boundary !== null) out.boundary = p.boundary;
    if (p.session !== null) out.sessionPolicies = p.session;
    return out;
  }),
  resources: w.resources.map((r) => {
    const out: Record<string, unknown> = { id: r.id };
    if (r.account !== null) out.account = r.account;
    if (r.policy !== null) out.policy = r.policy;
    return out;
  }),
}));

const contextArbitrary = fc.record({
  "aws:SecureTransport": fc.option(fc.boolean()),
  "aws:MultiFactorAuthPresent": fc.option(fc.constantFrom(true, false, "true", "FALSE")),
  "aws:SourceIp": fc.option(fc.constantFrom("10.1.2.3", "192.168.0.1", "10.200.0.1")),
  "s3:prefix": fc.option(fc.constantFrom("alice/x", "bob/", "eve/1")),
  "aws:TagKeys": fc.option(fc.constantFrom([], ["a"], ["a", "b"], ["c"], ["ab", "a"])),
  "aws:RequestTag/env": fc.option(fc.constantFrom("dev", "DEV", "prod")),
  "aws:RequestTag/team": fc.option(fc.constantFrom("red", "blue")),
  "s3:max-keys": fc.option(fc.constantFrom(5, 50, "7")),
  "aws:PrincipalTag/team": fc.option(fc.constantFrom("red", "blue")),
  "aws:userid": fc.option(fc.constantFrom("u-42", "AIDA1")),
  "aws:username": fc.option(fc.constantFrom("alice", "mallory")),
  "aws:PrincipalAccount": fc.option(fc.constantFrom("111111111111", "444444444444")),
  "aws:ResourceAccount": fc.option(fc.constantFrom("111111111111", "999999999999")),
  "aws:RequestedRegion": fc.option(fc.constantFrom("us-east-1", "eu-west-1")),
  "AWS:SourceIP": fc.option(fc.constantFrom("10.9.9.9")),
  "aws:CurrentTime": fc.option(fc.constantFrom("2023-06-01T00:00:00Z", "2025-01-01T00:00:00Z")),
}).map((c) => Object.fromEntries(Object.entries(c).filter(([, v]) => v !== null)));

/** A random request over the same pools. */
export const requestArbitrary = fc.record({
  principal: fc.constantFrom<string | null>(...PRINCIPALS, ...OUTSIDERS, null),
  action: pick(ACTIONS),
  resource: pick(RESOURCES),
  context: fc.option(contextArbitrary, { freq: 6 }),
}).map((r) => (r.context === null ? { principal: r.principal, action: r.action, resource: r.resource } : r));
