// Lint findings on `cloudalus` workspaces: trust policies (Resource) bind requests relying on the
// trust, resource policies (Identity; their Resource is `*`, the resource itself) bind requests on
// the resource, and an owner passes the resource check with no allow at all.
import { describe, expect, it } from "vitest";
import { brief, lintIam, only } from "./helpers.js";

const ENTITIES = `principal pi/deployer { kind programmatic }
trust t-ci {
  identity org/acme
  trustee pi/deployer
  policy Ci
}
resource kvdb/orders {
  owner org/acme
  policy Orders
}
`;

/** A workspace with trust policy `Ci` and resource policy `Orders` (statements as given). */
const workspace = (ci: readonly string[], orders: readonly string[] = ["allow kvdb:Get by pi/deployer"]) => `model cloudalus
policy Ci {
${ci.map((s) => `  ${s}`).join("\n")}
}
policy Orders {
${orders.map((s) => `  ${s}`).join("\n")}
}
${ENTITIES}`;

describe("IAMC6002 a deny that never matches anything allowed", () => {
  it("a trust deny on resources no allow or owner reaches is a warning", async () => {
    const findings = await lintIam(workspace(["allow kvdb:Get on kvdb/orders", "deny kvdb:Delete* on kvdb/archive/*"]));
    expect(brief(findings)).toEqual(["IAMC6002 warning 4:3"]);
  });

  it("a resource policy's deny can block the owner, who needs no allow: clean", async () => {
    const findings = await lintIam(workspace(["allow kvdb:Get on kvdb/orders"], ["allow kvdb:Get by pi/deployer", "deny kvdb:Flush* by *"]));
    expect(brief(findings, "IAMC6002")).toEqual([]);
  });
});

describe("IAMC6003 allow on `*`", () => {
  it("a trust policy allowing `*` on `*` is full admin of the identity: a warning", async () => {
    expect(brief(await lintIam(workspace(["allow * on *"])))).toEqual(["IAMC6003 warning 3:3"]);
  });

  it("a resource policy allowing `*`: a warning about the actions only (its `*` resource is itself)", async () => {
    const findings = await lintIam(workspace(["allow kvdb:Get on kvdb/orders"], ["allow * by pi/deployer"]));
    expect(brief(findings)).toEqual(["IAMC6003 warning 6:3"]);
    expect(only(findings, "IAMC6003").message).toBe("this allow grants every action on `*`");
  });

  it("named actions and resources: clean", async () => {
    expect(await lintIam(workspace(["allow kvdb:Get, kvdb:Put on kvdb/orders"]))).toEqual([]);
  });
});

describe("IAMC6006 and IAMC6007 shadowed and duplicate statements", () => {
  it("a deny in the same trust policy covering an allow shadows it", async () => {
    const findings = await lintIam(workspace(["allow kvdb:Put on kvdb/orders", "deny kvdb:* on *"]));
    expect(brief(findings)).toEqual(["IAMC6006 warning 3:3"]);
  });

  it("a resource policy's deny shadows an allow only for the identities it names", async () => {
    const shadowed = await lintIam(workspace(["allow kvdb:Get on kvdb/orders"], ["allow kvdb:Get by pi/deployer", "deny kvdb:Get by *"]));
    expect(brief(shadowed, "IAMC6006")).toEqual(["IAMC6006 warning 6:3"]);
    const apart = await lintIam(workspace(["allow kvdb:Get on kvdb/orders"], ["allow kvdb:Get by pi/deployer", "deny kvdb:Get by user/ana"]));
    expect(brief(apart, "IAMC6006")).toEqual([]);
  });

  it("the same statement twice in a policy", async () => {
    const findings = await lintIam(workspace(["allow kvdb:Get on kvdb/orders", "allow kvdb:Get on kvdb/orders"]));
    expect(brief(findings)).toEqual(["IAMC6007 warning 4:3"]);
  });
});

describe("IAMC6008 a policy attached to nobody", () => {
  it("a policy no trust or resource uses", async () => {
    const findings = await lintIam(`${workspace(["allow kvdb:Get on kvdb/orders"])}policy Spare { allow kvdb:Get on kvdb/orders }\n`);
    expect(brief(findings)).toEqual(["IAMC6008 warning 18:14"]);
    expect(only(findings, "IAMC6008").message).toBe("policy `Spare` is used by no trust or resource");
  });
});

describe("IAMC6010 a resource policy open to every caller", () => {
  it("`Identity: \"*\"` on an allow is a warning; named identities are clean", async () => {
    expect(brief(await lintIam(workspace(["allow kvdb:Get on kvdb/orders"], ["allow kvdb:Get by *"])))).toEqual(["IAMC6010 warning 6:3"]);
    expect(await lintIam(workspace(["allow kvdb:Get on kvdb/orders"], ["allow kvdb:Get by pi/deployer"]))).toEqual([]);
  });
});

it("the cloudalus example: no errors; warnings for the on-call trust's full admin and the public catalog", async () => {
  const { loadWorkspace } = await import("../../compiler/load-workspace.js");
  const { lintWorkspace } = await import("../../compiler/lint/index.js");
  const findings = lintWorkspace((await loadWorkspace("examples/cloudalus")).value!);
  expect(findings.map((d) => `${d.code} ${d.severity} ${d.pointer}`)).toEqual([
    "IAMC6003 warning /policies/1/document/Statement/0",
    "IAMC6010 warning /policies/2/document/Statement/0",
  ]);
});
