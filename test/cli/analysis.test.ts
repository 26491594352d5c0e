// `iamc diff`, `iamc access`, `iamc who` end to end, on the three examples and edited copies.
import { cp, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../../compiler/cli.js";
import { REPO, run, STACK_LINE, tempDir } from "./helpers.js";

const example = (name: string) => join(REPO, "examples", name);
let dir: string;
let cleanup: () => Promise<void>;

/** A copy of an example with `edit` applied to one of its JSON files. */
async function edited(name: string, file: string, edit: (json: any) => void): Promise<string> {
  const copy = join(dir, `${name}-${Math.random().toString(36).slice(2)}`);
  await cp(example(name), copy, { recursive: true });
  const path = join(copy, file);
  const json = JSON.parse(await readFile(path, "utf8"));
  edit(json);
  await writeFile(path, JSON.stringify(json, null, 2));
  return copy;
}

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterAll(async () => cleanup());

describe("iamc diff", () => {
  it("finds nothing between a workspace and itself, or its bundle", async () => {
    const same = await run(["diff", example("company"), example("company")]);
    expect(same.code).toBe(EXIT.ok);
    expect(same.stdout).toMatch(/^no decision changes\n0 added, 0 removed, 0 changed/);
    const bundle = join(dir, "company.iamc");
    expect((await run(["compile", example("company"), "-o", bundle])).code).toBe(EXIT.ok);
    const mixed = await run(["diff", bundle, example("company"), "--json"]);
    expect(JSON.parse(mixed.stdout)).toEqual({ added: [], removed: [], changed: [] });
  });

  it("reports added access per principal, action pattern and resource, with the statements, and gates CI", async () => {
    const after = await edited("company", "policies/developer-access.json", (p) => {
      p.Statement.push({ Sid: "Deploy", Effect: "Allow", Action: "lambda:UpdateFunctionCode", Resource: "arn:aws:lambda:us-east-1:111111111111:function:app-*" });
    });
    const json = await run(["diff", example("company"), after, "--json"]);
    expect(json.code).toBe(EXIT.ok);
    const diff = JSON.parse(json.stdout);
    expect(diff.removed).toEqual([]);
    expect(diff.added.map((e: any) => [e.principal, e.action, e.resource, e.after])).toEqual([
      ["arn:aws:iam::111111111111:user/alice", "lambda:UpdateFunctionCode", "arn:aws:lambda:us-east-1:111111111111:function:app-*", "Conditional"],
      ["arn:aws:iam::111111111111:user/dan", "lambda:UpdateFunctionCode", "arn:aws:lambda:us-east-1:111111111111:function:app-*", "Conditional"],
    ]);
    const [alice] = diff.added;
    expect(alice.before).toBe("Deny"); // the region guardrail could deny it before, nothing allowed it
    expect(alice.statements.after).toContain("DeveloperAccess/Deploy (identity)");
    expect(alice.conditional.after).toContainEqual({
      statement: "Guardrails/DenyOutsideApprovedRegions (scp[1])", effect: "Deny",
      conditions: "StringNotEquals aws:RequestedRegion us-east-1, eu-west-1",
    });
    expect(alice.example.action).toBe("lambda:UpdateFunctionCode");

    const human = await run(["diff", example("company"), after]);
    expect(human.stdout).toContain("access added (2)");
    expect(human.stdout).toContain("arn:aws:iam::111111111111:user/alice, arn:aws:iam::111111111111:user/dan");
    expect(human.stdout).toContain("+ lambda:UpdateFunctionCode on arn:aws:lambda:us-east-1:111111111111:function:app-*   Deny -> Conditional");
    expect(human.stdout).toContain("after: DeveloperAccess/Deploy (identity)");

    const gate = await run(["diff", example("company"), after, "--fail-on-new-access"]);
    expect(gate.code).toBe(EXIT.invalidInput);
    expect(gate.stdout).toContain("--fail-on-new-access");
    // removing access does not trip the gate
    const back = await run(["diff", after, example("company"), "--fail-on-new-access", "--json"]);
    expect(back.code).toBe(EXIT.ok);
    expect(JSON.parse(back.stdout).removed).toHaveLength(2);
  });

  it("krutrim: editing a policy shows every user it reaches, and the role and group it came through", async () => {
    const after = await edited("krutrim", "policies/protect-production-vms.json", (p) => {
      p.rules[0].resources = ["vm/prod-db-*"];
    });
    const { code, stdout } = await run(["diff", example("krutrim"), after, "--json"]);
    expect(code).toBe(EXIT.ok);
    const diff = JSON.parse(stdout);
    const users = [...new Set(diff.added.map((e: any) => e.principal))].sort();
    expect(users).toEqual(["user/arjun", "user/meera"]); // both in group vm-operators
    const meera = diff.added.find((e: any) => e.principal === "user/meera");
    expect([meera.action, meera.before, meera.after]).toEqual(["vm:Delete", "ExplicitDeny", "Allow"]);
    expect([meera.resource, meera.except]).toEqual(["vm/prod-*", ["vm/prod-db-*"]]);
    expect(meera.statements.before).toContain("ProtectProductionVMs#0 (role vm-operator via group vm-operators)");
    expect(meera.statements.after.some((s: string) => s.startsWith("KVMFullAccess"))).toBe(true);
    const text = await run(["diff", example("krutrim"), after]);
    expect(text.stdout).toContain("user/arjun, user/meera\n    + vm:Delete on vm/prod-* except vm/prod-db-*   ExplicitDeny -> Allow");
  });

  it("the README's example: examples/krutrim against its proposed edit", async () => {
    const gate = await run(["diff", example("krutrim"), join(example("krutrim"), "proposed.iam"), "--fail-on-new-access", "--json"]);
    expect(gate.code).toBe(EXIT.invalidInput);
    const diff = JSON.parse(gate.stdout);
    const rows = diff.added.map((e: any) => `${e.principal} ${e.action} on ${e.resource} ${e.before} -> ${e.after}`);
    expect(rows).toEqual([
      "user/arjun vm:Delete on vm/prod-* ExplicitDeny -> Allow",
      "user/kavya billing:Read on * ExplicitDeny -> Allow",
      "user/kavya billing:*Read on * ExplicitDeny -> Allow", // `billing::Read`: `*:Read` matches it too
      "user/meera vm:Delete on vm/prod-* ExplicitDeny -> Allow",
    ]);
    expect(diff.changed.map((e: any) => `${e.principal} ${e.action} ${e.before} -> ${e.after}`)).toEqual(["user/kavya billing:* ExplicitDeny -> ImplicitDeny"]);
    expect((await run(["fmt", "--check", join(example("krutrim"), "proposed.iam")])).code).toBe(EXIT.ok);
  });

  it("cloudalus: a new trust shows the adoptions it opens", async () => {
    const after = await edited("cloudalus", "iamc.json", (m) => {
      m.trusts.push({ id: "t-report", identity: "org/acme", trustee: "pi/reporting", policy: "CiDeploy" });
    });
    const diff = JSON.parse((await run(["diff", example("cloudalus"), after, "--json"])).stdout);
    expect(diff.removed).toEqual([]);
    const callers = new Set(diff.added.map((e: any) => e.principal));
    expect(callers).toContain("pi/reporting as org/acme");
    expect(callers).toContain("pi/reporting as org/acme via t-report");
    expect(callers).toContain("ak/77aa as org/acme");
  });

  it("reports bad inputs with codes, and refuses to compare models", async () => {
    const missing = await run(["diff", example("company"), join(dir, "nope.iamc")]);
    expect(missing.code).toBe(EXIT.invalidInput);
    expect(missing.stderr).toMatch(/IAMC1002|no such file/);
    const broken = join(dir, "broken.iamc");
    await writeFile(broken, "IAMC not really");
    const bad = await run(["diff", broken, example("company")]);
    expect(bad.code).toBe(EXIT.invalidInput);
    expect(bad.stderr).toMatch(/IAMC500\d/);
    const models = await run(["diff", example("company"), example("krutrim")]);
    expect(models.code).toBe(EXIT.invalidInput);
    expect(models.stderr).toContain("diff compares two of the same model");
    for (const r of [missing, bad, models]) expect(r.stderr).not.toMatch(STACK_LINE);
  });
});

describe("iamc access", () => {
  it("lists what a principal may do, with the conditions that decide", async () => {
    const { code, stdout } = await run(["access", example("company"), "--principal", "arn:aws:iam::111111111111:user/alice", "--json"]);
    expect(code).toBe(EXIT.ok);
    const report = JSON.parse(stdout);
    const rows = report.access.map((e: any) => `${e.action} on ${e.resource}: ${e.decision}`);
    // her team folder and her home folder: policy variables resolved for her
    expect(rows).toContain("s3:GetObject on arn:aws:s3:::acme-app-data/teams/payments/*: Conditional");
    expect(rows).toContain("s3:PutObject on arn:aws:s3:::acme-home/home/alice/*: Conditional");
    expect(report.access.every((e: any) => e.decision === "Allow" || e.decision === "Conditional")).toBe(true);
    const text = await run(["access", example("company"), "--principal", "arn:aws:iam::111111111111:user/alice"]);
    expect(text.stdout).toMatch(/^arn:aws:iam::111111111111:user\/alice may:/);
  });

  it("krutrim and cloudalus", async () => {
    const meera = JSON.parse((await run(["access", example("krutrim"), "--principal", "user/meera", "--json"])).stdout);
    expect(meera.access.map((e: any) => `${e.action} ${e.resource} ${e.decision}`)).toContain("vm:Delete * Allow");
    expect(meera.access.find((e: any) => e.action === "vm:Delete").except).toEqual(["vm/prod-*"]);
    const text = await run(["access", example("krutrim"), "--principal", "user/meera"]);
    expect(text.stdout).toContain("allow vm:Delete on * except vm/prod-*");
    const ci = JSON.parse((await run(["access", example("cloudalus"), "--principal", "ak/9f2c", "--identity", "org/acme", "--via", "t-ci", "--json"])).stdout);
    expect(ci.access.length).toBeGreaterThan(0);
    const nobody = await run(["access", example("krutrim"), "--principal", "user/ghost"]);
    expect(nobody.stdout).toBe("user/ghost may do nothing\n");
  });

  it("needs a principal", async () => {
    expect((await run(["access", example("company")])).code).toBe(EXIT.usage);
  });
});

describe("iamc who", () => {
  it("lists every principal that may, and the outside callers", async () => {
    const { code, stdout } = await run(["who", example("krutrim"), "--action", "vm:Delete", "--resource", "vm/prod-web-1", "--json"]);
    expect(code).toBe(EXIT.ok);
    expect(JSON.parse(stdout).who.map((e: any) => [e.principal, e.decision])).toEqual([["user/ravi", "Allow"]]);
    const text = await run(["who", example("krutrim"), "--action", "vm:Delete", "--resource", "vm/prod-web-1"]);
    expect(text.stdout).toContain("who may vm:Delete on vm/prod-web-1:");
    expect(text.stdout).toContain("allow user/ravi");
    const nobody = await run(["who", example("krutrim"), "--action", "quantum:Delete", "--resource", "x"]);
    expect(nobody.stdout).toContain("nobody may quantum:Delete on x");
    const publicRead = JSON.parse((await run(["who", example("cloudalus"), "--action", "kvdb:Get", "--resource", "kvdb/catalog", "--json"])).stdout);
    expect(publicRead.who.map((e: any) => e.principal)).toContain("an unauthenticated caller");
  });

  it("needs --action and --resource", async () => {
    expect((await run(["who", example("krutrim"), "--action", "vm:Read"])).code).toBe(EXIT.usage);
  });
});
