// The example company workspace is documentation: it must compile cleanly and decide its
// requests as examples/company/README.md says.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../../compiler/cli.js";
import { jsonLines, REPO, run, tempDir } from "./helpers.js";

const WORKSPACE = join(REPO, "examples", "company");
const REQUESTS = join(WORKSPACE, "requests.jsonl");

/** Decision and deciding statement (policy/Sid@layer) per line of requests.jsonl, as the README's table. */
const EXPECTED: [string, string | undefined][] = [
  ["Allow", "DeveloperAccess/TeamFolderReadWrite@identity"],
  ["ImplicitDeny", undefined],
  ["Allow", "HomeFolders/OwnHomeFolder@identity"],
  ["ImplicitDeny", undefined],
  ["ExplicitDeny", "AppDataBucket/DenyInsecureTransport@resource"],
  ["ExplicitDeny", "RequireMfa/DenyAllExceptSelfServiceWithoutMfa@identity"],
  ["Allow", "AdministratorAccess/Everything@identity"],
  ["ExplicitDeny", "Guardrails/DenyCloudTrailTampering@scp[1]"],
  ["Allow", "CiBoundary/DeployServicesOnly@boundary"],
  ["ImplicitDeny", undefined],
  ["ExplicitDeny", "Guardrails/DenyOutsideApprovedRegions@scp[1]"],
  ["Allow", "AppDataBucket/AuditorCrossAccountRead@resource"],
  ["ImplicitDeny", undefined],
  ["Allow", "DataPipeline/UseAppDataKey@identity"],
  ["ExplicitDeny", "AppDataKey/NobodyDeletesTheKey@resource"],
  ["ImplicitDeny", undefined],
];

let dir: string;
let cleanup: () => Promise<void>;
let bundle: string;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  bundle = join(dir, "company.iamc");
  const r = await run(["compile", WORKSPACE, "-o", bundle]);
  // no warnings either: the example is what people copy
  expect(r.stderr).toMatch(/^compiled \S+ -> \S+ \(.+\) in \d+ ms\n$/);
  expect(r.code).toBe(EXIT.ok);
});
afterAll(() => cleanup());

describe("examples/company", () => {
  it("decides every request as documented, with the documented deciding statement", async () => {
    const r = await run(["check", bundle, "--requests", REQUESTS, "--explain"]);
    expect(r.code).toBe(EXIT.ok);
    const lines = jsonLines(r.stdout) as { decision: string; statements: { policy: string; sid?: string; layer: string }[] }[];
    expect(lines.map((l) => l.decision)).toEqual(EXPECTED.map(([decision]) => decision));
    lines.forEach((line, i) => {
      const wanted = EXPECTED[i]![1];
      if (wanted === undefined) return;
      expect(line.statements.map((s) => `${s.policy}/${s.sid}@${s.layer}`), `request ${i + 1}`).toContain(wanted);
    });
  });

  it("explains the boundary case: the identity policy allows, the boundary does not", async () => {
    const r = await run([
      "explain",
      bundle,
      "--principal",
      "arn:aws:iam::222222222222:role/ci-deployer",
      "--action",
      "iam:CreateRole",
      "--resource",
      "arn:aws:iam::222222222222:role/app-worker",
      "--context",
      '{"aws:RequestedRegion":"us-east-1"}',
      "--json",
    ]);
    const explanation = JSON.parse(r.stdout) as { decision: string; reason: string; layers: { layer: string; verdict: string }[] };
    expect(explanation.decision).toBe("ImplicitDeny");
    expect(explanation.reason).toMatch(/boundary/);
    expect(explanation.layers).toContainEqual(expect.objectContaining({ layer: "identity", verdict: "Allow" }));
    expect(explanation.layers).toContainEqual(expect.objectContaining({ layer: "boundary", verdict: "None" }));
  });

  it("needs the region: the guardrail's StringNotEquals denies a request without aws:RequestedRegion", async () => {
    const r = await run([
      "check",
      bundle,
      "--principal",
      "arn:aws:iam::111111111111:user/alice",
      "--action",
      "s3:GetObject",
      "--resource",
      "arn:aws:s3:::acme-app-data/teams/payments/ledger-2024-q1.csv",
      "--json",
    ]);
    expect(r.stdout).toBe('{"decision":"ExplicitDeny"}\n');
  });
});
