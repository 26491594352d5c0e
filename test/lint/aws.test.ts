// Every lint finding on `aws` workspaces: a small workspace that triggers it (code, severity and
// line:column asserted) beside a near-identical one that must not.
import { describe, expect, it } from "vitest";
import { brief, lintFiles, lintIam, only } from "./helpers.js";

const ALICE = "principal arn:aws:iam::111111111111:user/alice in account 111111111111";
const BOB = "principal arn:aws:iam::111111111111:user/bob in account 111111111111";

/** A workspace of one policy `P` (statements as given), held by alice. */
const held = (...statements: string[]) => `model aws
policy P {
${statements.map((s) => `  ${s}`).join("\n")}
}
${ALICE} { policies P }
`;

describe("IAMC6001 S3 actions paired with resources of the other level", () => {
  it("a bucket-level action on object ARNs only is an error at the statement", async () => {
    const findings = await lintIam(held("allow s3:ListBucket, s3:GetObject on arn:aws:s3:::logs/*"));
    expect(brief(findings)).toEqual(["IAMC6001 error 3:3"]);
    const finding = only(findings, "IAMC6001");
    expect(finding.message).toBe("`s3:ListBucket` acts on buckets, but the statement names only objects (`arn:aws:s3:::logs/*`), so it never matches");
    expect(finding.help).toContain("`arn:aws:s3:::logs`");
    expect(finding.pointer).toBe("/policies/0/document/Statement/0");
  });

  it("an object-level action on bucket ARNs only is an error, suggesting `bucket/*`", async () => {
    const findings = await lintIam(held("allow s3:GetObject, s3:PutObject on arn:aws:s3:::logs"));
    expect(brief(findings)).toEqual(["IAMC6001 error 3:3"]);
    expect(only(findings, "IAMC6001").message).toContain("`s3:GetObject` and `s3:PutObject` act on objects");
    expect(only(findings, "IAMC6001").help).toContain("`arn:aws:s3:::logs/*`");
  });

  it("both levels named, each action finds its resource: clean", async () => {
    expect(await lintIam(held("allow s3:ListBucket, s3:GetObject on arn:aws:s3:::logs, arn:aws:s3:::logs/*"))).toEqual([]);
  });

  it.each([
    ["a wildcard family of one level", "allow s3:GetBucket*, s3:PutBucketPolicy on arn:aws:s3:::logs/*", ["IAMC6001 error 3:3"]],
    ["a deny that cannot match is as wrong as an allow", "deny s3:DeleteObject on arn:aws:s3:::logs", ["IAMC6001 error 3:3", "IAMC6002 warning 3:3"]],
    ["variables are read as `*`", "allow s3:ListBucket on arn:aws:s3:::home/${aws:username}/*", ["IAMC6001 error 3:3"]],
  ])("%s", async (_, statement, want) => {
    expect(brief(await lintIam(held(statement)))).toEqual(want);
  });

  it.each([
    ["an action of either level (`s3:Get*`)", "allow s3:Get* on arn:aws:s3:::logs"],
    ["a resource that may be a bucket (`arn:aws:s3:::logs*`)", "allow s3:ListBucket on arn:aws:s3:::logs*"],
    ["`*` resources", "allow s3:ListBucket on arn:aws:s3:::*"],
    ["an action of no level (`s3:ListAllMyBuckets`)", "allow s3:ListAllMyBuckets on arn:aws:s3:::logs/*"],
    ["NotResource", "allow s3:ListBucket on not arn:aws:s3:::logs/*"],
  ])("no finding for %s", async (_, statement) => {
    expect(brief(await lintIam(held(statement)), "IAMC6001")).toEqual([]);
  });

  it("points into the JSON policy file with its line and column", async () => {
    const findings = await lintFiles({
      "iamc.json": `{
  "model": "aws",
  "policies": [{ "file": "read-logs.json" }],
  "principals": [{ "id": "arn:aws:iam::111111111111:user/alice", "policies": ["ReadLogs"] }]
}
`,
      "read-logs.json": `{
  "Version": "2012-10-17",
  "Id": "ReadLogs",
  "Statement": [
    { "Sid": "List", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::logs/*" }
  ]
}
`,
    });
    expect(findings).toMatchObject([{ code: "IAMC6001", severity: "error", file: "read-logs.json", pointer: "/Statement/0", span: { line: 5, column: 5 } }]);
  });
});

describe("IAMC6002 a deny that never matches anything allowed", () => {
  it("a deny on a resource nothing allows is a warning", async () => {
    const findings = await lintIam(held("allow s3:GetObject on arn:aws:s3:::our-data/*", "deny s3:* on arn:aws:s3:::their-data/*"));
    expect(brief(findings)).toEqual(["IAMC6002 warning 4:3"]);
    expect(only(findings, "IAMC6002").message).toBe(
      "this deny never matches anything the workspace allows: no allow grants `s3:*` on `arn:aws:s3:::their-data/*`",
    );
  });

  it("a deny inside what is allowed: clean", async () => {
    expect(await lintIam(held("allow s3:GetObject on arn:aws:s3:::our-data/*", "deny s3:* on arn:aws:s3:::our-data/secret/*"))).toEqual([]);
  });

  it("actions meet without case, resources only with it", async () => {
    expect(brief(await lintIam(held("allow S3:GETOBJECT on arn:aws:s3:::d/*", "deny s3:getobject on arn:aws:s3:::d/x")))).toEqual([]);
    expect(brief(await lintIam(held("allow s3:GetObject on arn:aws:s3:::d/*", "deny s3:GetObject on arn:aws:s3:::D/x")))).toEqual(["IAMC6002 warning 4:3"]);
  });

  it("limits grant nothing (here a boundary's allow), and NotAction on either side meets anything", async () => {
    const boundary = `model aws
policy P { deny ec2:* on * }
policy B { allow ec2:* on * }
${ALICE} { policies P  boundary B }
`;
    expect(brief(await lintIam(boundary), "IAMC6002")).toEqual(["IAMC6002 warning 2:12"]);
    expect(brief(await lintIam(held("allow not iam:* on arn:aws:s3:::d/*", "deny ec2:* on *")), "IAMC6002")).toEqual([]);
    expect(brief(await lintIam(held("allow s3:GetObject on arn:aws:s3:::d/*", "deny not s3:GetObject on *")), "IAMC6002")).toEqual([]);
  });

  it("an allow whose service is a wildcard meets a deny of any service; another service's does not", async () => {
    expect(brief(await lintIam(held("allow s*:Get* on arn:aws:s3:::d/*", "deny s3:GetObject on arn:aws:s3:::d/x")), "IAMC6002")).toEqual([]);
    expect(brief(await lintIam(held("allow sqs:Get* on arn:aws:s3:::d/*", "deny s3:GetObject on arn:aws:s3:::d/x")), "IAMC6002")).toEqual(["IAMC6002 warning 4:3"]);
  });

  it("a deny in a policy nobody holds is left to IAMC6008", async () => {
    const findings = await lintIam(`model aws
policy P { allow s3:GetObject on arn:aws:s3:::d/* }
policy Unused { deny ec2:* on * }
${ALICE} { policies P }
`);
    expect(brief(findings)).toEqual(["IAMC6008 warning 3:15"]);
  });
});

describe("IAMC6003 allow on `*`", () => {
  it.each([
    ["`*` on `*` is full admin: a warning", "allow * on *", "IAMC6003 warning 3:3"],
    ["`*:*` on `*` too", "allow *:* on *", "IAMC6003 warning 3:3"],
    ["`*` actions on named resources: a warning", "allow * on arn:aws:s3:::d/*", "IAMC6003 warning 3:3"],
    ["named actions on `*`: a warning", "allow s3:GetObject on *", "IAMC6003 warning 3:3"],
  ])("%s", async (_, statement, want) => {
    expect(brief(await lintIam(held(statement)))).toEqual([want]);
  });

  it("named actions on named resources: clean", async () => {
    expect(await lintIam(held("allow s3:GetObject on arn:aws:s3:::d/*"))).toEqual([]);
  });

  it("not in policies used only as limits (SCP, boundary), nor a resource policy's `*` (its own resource)", async () => {
    const findings = await lintIam(`model aws
policy FullAccess { allow * on * }
policy Boundary { allow s3:* on * }
policy Read { allow s3:GetObject on arn:aws:s3:::d/* }
policy KeyPolicy { allow kms:* on * by AWS arn:aws:iam::111111111111:root }
account 111111111111 { scps [[FullAccess]] }
${ALICE} { policies Read  boundary Boundary }
resource arn:aws:kms:us-east-1:111111111111:key/k1 in account 111111111111 { policy KeyPolicy }
`);
    expect(findings).toEqual([]);
  });
});

describe("IAMC6004 allow with NotAction or NotResource", () => {
  it.each([
    ["NotAction", "allow not iam:* on arn:aws:s3:::d/*", "NotAction `iam:*`"],
    ["NotResource", "allow s3:GetObject on not arn:aws:s3:::d/secret/*", "NotResource `arn:aws:s3:::d/secret/*`"],
  ])("%s is a warning", async (_, statement, named) => {
    const findings = await lintIam(held(statement));
    expect(brief(findings)).toEqual(["IAMC6004 warning 3:3"]);
    expect(only(findings, "IAMC6004").message).toContain(named);
  });

  it("a deny with NotAction, and an SCP's allow with it: clean", async () => {
    expect(await lintIam(held("allow s3:GetObject on arn:aws:s3:::d/*", "deny not s3:GetObject on *"))).toEqual([]);
    expect(
      await lintIam(`model aws
policy Scp { allow not iam:* on * }
policy Read { allow s3:GetObject on arn:aws:s3:::d/* }
account 111111111111 { scps [[Scp]] }
${ALICE} { policies Read }
`),
    ).toEqual([]);
  });
});

describe("IAMC6005 ForAllValues in an allow", () => {
  const tagging = "allow ec2:CreateTags on arn:aws:ec2:*:111111111111:instance/*";

  it("is a warning at the condition", async () => {
    const findings = await lintIam(held(`${tagging} when aws:TagKeys ForAllValues:StringEquals env, team`));
    expect(brief(findings)).toEqual(["IAMC6005 warning 3:70"]);
    expect(only(findings, "IAMC6005").pointer).toBe("/policies/0/document/Statement/0/Condition/ForAllValues:StringEquals/aws:TagKeys");
    expect(only(findings, "IAMC6005").help).toContain("ForAnyValue:StringEquals");
  });

  it.each([
    ["with a Null check that the key is present", `${tagging} when aws:TagKeys ForAllValues:StringEquals env, team and aws:TagKeys Null false`],
    ["ForAnyValue", `${tagging} when aws:TagKeys ForAnyValue:StringEquals env, team`],
    ["in a deny", `deny ec2:CreateTags on * when aws:TagKeys ForAllValues:StringEquals env, team`],
  ])("no finding %s", async (_, statement) => {
    expect(brief(await lintIam(held(tagging, statement)), "IAMC6005")).toEqual([]);
  });
});

describe("IAMC6006 an allow shadowed by a broader deny", () => {
  const workspace = (lockdown: string, extra = "") => `model aws
policy Read { allow s3:GetObject on arn:aws:s3:::data/reports/* }
policy Lockdown { ${lockdown} }
group analysts { policies Read }
${ALICE} { groups analysts  policies Lockdown }
${extra}`;

  it("a deny every holder of the allow also holds, covering it: a warning naming the deny", async () => {
    const findings = await lintIam(workspace("deny s3:* on arn:aws:s3:::data/*"));
    expect(brief(findings)).toEqual(["IAMC6006 warning 2:15"]);
    expect(only(findings, "IAMC6006").message).toContain("`Lockdown#0` (line 3)");
  });

  it.each([
    ["someone holds the allow without the deny", "deny s3:* on arn:aws:s3:::data/*", `${BOB} { groups analysts }`],
    ["the deny has a condition", "deny s3:* on arn:aws:s3:::data/* when aws:SecureTransport is false", ""],
    ["the deny covers part of it", "deny s3:* on arn:aws:s3:::data/reports/2023/*", ""],
  ])("no finding when %s", async (_, lockdown, extra) => {
    expect(brief(await lintIam(workspace(lockdown, extra)), "IAMC6006")).toEqual([]);
  });

  it("an SCP deny binds every principal of the account; NotAction denies cover what they do not except", async () => {
    const findings = await lintIam(`model aws
policy Read { allow s3:GetObject on arn:aws:s3:::d/* }
policy Guard { deny not iam:* on * }
account 111111111111 { scps [[Guard]] }
${ALICE} { policies Read }
`);
    expect(brief(findings, "IAMC6006")).toEqual(["IAMC6006 warning 2:15"]);
  });
});

describe("IAMC6007 duplicate statements", () => {
  it("the second of two equal statements held by one principal, pointing at the first", async () => {
    const findings = await lintIam(`model aws
policy A { allow s3:GetObject on arn:aws:s3:::b/* }
policy B {
  allow s3:getobject on arn:aws:s3:::b/*
}
${ALICE} { policies A, B }
`);
    expect(brief(findings)).toEqual(["IAMC6007 warning 4:3"]);
    expect(only(findings, "IAMC6007").message).toBe(
      "this statement duplicates `A#0` (line 2), and both apply to `arn:aws:iam::111111111111:user/alice`",
    );
  });

  it("twice in one policy", async () => {
    const findings = await lintIam(held("sid One allow s3:GetObject on arn:aws:s3:::b/*", "allow s3:GetObject on arn:aws:s3:::b/*"));
    expect(brief(findings)).toEqual(["IAMC6007 warning 4:3"]);
    expect(only(findings, "IAMC6007").message).toContain("`P/One` (line 3) in the same policy");
  });

  it("no finding when no principal holds both, when conditions differ, or when the allows are in different layers", async () => {
    const apart = `model aws
policy A { allow s3:GetObject on arn:aws:s3:::b/* }
policy B { allow s3:GetObject on arn:aws:s3:::b/* }
${ALICE} { policies A }
${BOB} { policies A  boundary B }
`;
    expect(await lintIam(apart)).toEqual([]);
    expect(await lintIam(held("allow s3:GetObject on arn:aws:s3:::b/*", "allow s3:GetObject on arn:aws:s3:::b/* when aws:SecureTransport is true"))).toEqual([]);
  });

  it("equal denies in two layers are still duplicates: a deny anywhere wins", async () => {
    const findings = await lintIam(`model aws
policy Read { allow s3:* on arn:aws:s3:::b/* }
policy A { deny s3:DeleteObject on arn:aws:s3:::b/* }
policy B { deny s3:DeleteObject on arn:aws:s3:::b/* }
${ALICE} { policies Read, A  boundary B }
`);
    expect(brief(findings, "IAMC6007")).toEqual(["IAMC6007 warning 4:12"]);
  });
});

describe("IAMC6008 a policy attached to nobody", () => {
  it("no reference at all, or only a group without members: warnings at the policy", async () => {
    const findings = await lintIam(`model aws
policy Orphan { allow s3:GetObject on arn:aws:s3:::b/* }
policy ForEmpty { allow s3:PutObject on arn:aws:s3:::b/* }
policy Used { allow s3:ListBucket on arn:aws:s3:::b }
group empty { policies ForEmpty }
${ALICE} { policies Used }
`);
    expect(brief(findings)).toEqual(["IAMC6008 warning 2:15", "IAMC6008 warning 3:17"]);
    expect(findings.map((d) => d.message)).toEqual([
      "policy `Orphan` is attached to nobody",
      "policy `ForEmpty` is held only by group `empty`, which has no members",
    ]);
  });

  it("SCPs, RCPs, boundaries, session policies and resource policies all attach", async () => {
    expect(
      await lintIam(`model aws
policy Scp { deny s3:DeleteBucket on * }
policy Rcp { deny s3:DeleteObject on * by * }
policy Boundary { allow s3:* on arn:aws:s3:::b/* }
policy Session { allow s3:* on arn:aws:s3:::b/* }
policy Bucket { allow s3:GetObject on arn:aws:s3:::b/* by AWS arn:aws:iam::111111111111:user/bob }
account 111111111111 { scps [[Scp]]  rcps [[Rcp]] }
${ALICE} { boundary Boundary  sessionPolicies Session }
resource arn:aws:s3:::b in account 111111111111 { policy Bucket }
`).then((f) => brief(f, "IAMC6008")),
    ).toEqual([]);
  });
});

describe("IAMC6009 a wildcard in an ARN's service segment", () => {
  it.each([
    ["`*`", "allow s3:GetObject on arn:aws:*:::b/*"],
    ["`s3*`", "allow s3:GetObject on arn:aws:s3*:::b/*"],
    ["`?`", "allow s3:GetObject on arn:aws:s?:::b/*"],
  ])("a service segment with %s is a warning", async (_, statement) => {
    expect(brief(await lintIam(held(statement)))).toEqual(["IAMC6009 warning 3:3"]);
  });

  it("a wildcard partition, region or account, or one in a deny: clean", async () => {
    expect(await lintIam(held("allow s3:GetObject on arn:*:s3:::b/*", "allow dynamodb:GetItem on arn:aws:dynamodb:*:*:table/t"))).toEqual([]);
    expect(brief(await lintIam(held("allow s3:GetObject on arn:aws:s3:::b/*", "deny s3:GetObject on arn:aws:*:::*/secret/*")), "IAMC6009")).toEqual([]);
  });
});

describe("IAMC6010 a resource policy open to every caller", () => {
  const bucket = (statement: string) => `model aws
policy Bucket {
  ${statement}
}
resource arn:aws:s3:::b in account 111111111111 { policy Bucket }
`;

  it("`Principal: \"*\"` without a condition is a warning", async () => {
    expect(brief(await lintIam(bucket("allow s3:GetObject on arn:aws:s3:::b/* by *")))).toEqual(["IAMC6010 warning 3:3"]);
  });

  it.each([
    ["a condition", "allow s3:GetObject on arn:aws:s3:::b/* by * when aws:PrincipalOrgID == o-123"],
    ["a named principal", "allow s3:GetObject on arn:aws:s3:::b/* by AWS arn:aws:iam::111111111111:user/bob"],
    ["a deny", "deny s3:* on arn:aws:s3:::b/* by * when aws:SecureTransport is false"],
  ])("no finding with %s", async (_, statement) => {
    expect(brief(await lintIam(bucket(statement)), "IAMC6010")).toEqual([]);
  });
});

it("findings come in file order, then line", async () => {
  const findings = await lintIam(`model aws
policy P {
  allow * on *
  allow s3:GetObject on arn:aws:s3:::logs
}
policy Orphan { allow s3:GetObject on arn:aws:s3:::b/* }
${ALICE} { policies P }
`);
  expect(brief(findings)).toEqual(["IAMC6003 warning 3:3", "IAMC6001 error 4:3", "IAMC6008 warning 6:15"]);
});
