// The DSL on the command line: `iamc compile` reads .iam workspaces and .iam policy files,
// `iamc fmt` rewrites files canonically (`--check` for CI), `iamc convert` goes between JSON and
// the DSL. Errors follow the CLI's rules: FILE:LINE:COL, a code, exit 1, nothing written.
import { existsSync } from "node:fs";
import { copyFile, mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EXIT } from "../../compiler/cli.js";
import { REPO, run, STACK_LINE, tempDir } from "./helpers.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

const COMPANY = join(REPO, "examples", "company");
const WORKSPACE = [
  "model aws",
  "",
  "policy ReadAppData {",
  "  version 2012-10-17",
  "  allow s3:GetObject, s3:ListBucket on arn:aws:s3:::app-data, arn:aws:s3:::app-data/*",
  "    when aws:SecureTransport is true",
  "}",
  "",
  "principal arn:aws:iam::111111111111:user/alice in account 111111111111 { policies ReadAppData }",
  "",
].join("\n");
const ALICE = "arn:aws:iam::111111111111:user/alice";

const write = async (name: string, text: string) => {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
};
const noTemporaryFiles = async () => expect((await readdir(dir)).filter((f) => f.endsWith(".tmp"))).toEqual([]);

describe("iamc compile", () => {
  it("compiles a .iam workspace, and the bundle decides", async () => {
    const manifest = await write("ws.iam", WORKSPACE);
    const out = join(dir, "out.iamc");
    const r = await run(["compile", manifest, "-o", out]);
    expect(r.stderr).toMatch(/^compiled \S+ws\.iam -> \S+out\.iamc \(.+\) in \d+ ms\n$/);
    expect(r.code).toBe(EXIT.ok);
    const check = await run(["check", out, "--principal", ALICE, "--action", "s3:GetObject", "--resource", "arn:aws:s3:::app-data/x", "--context", '{"aws:SecureTransport":true}', "--json"]);
    expect(check.stdout).toBe('{"decision":"Allow"}\n');
  });

  it("finds iamc.iam in a folder without iamc.json, also as the default manifest", async () => {
    await write("iamc.iam", WORKSPACE);
    expect((await run(["compile", dir, "-o", join(dir, "a.iamc")])).code).toBe(EXIT.ok);
    expect((await run(["compile", "-o", "b.iamc"], { cwd: dir })).code).toBe(EXIT.ok);
    expect(Buffer.compare(await readFile(join(dir, "a.iamc")), await readFile(join(dir, "b.iamc")))).toBe(0);
  });

  it("compiles a JSON manifest whose policies live in a .iam file", async () => {
    await mkdir(join(dir, "policies"));
    await write("policies/read.iam", "policy ReadAppData {\n  allow s3:GetObject on arn:aws:s3:::app-data/*\n}\n");
    const manifest = await write("iamc.json", JSON.stringify({ model: "aws", policies: [{ file: "policies/*.iam" }], principals: [{ id: ALICE, policies: ["ReadAppData"] }] }));
    const out = join(dir, "out.iamc");
    expect((await run(["compile", manifest, "-o", out])).code).toBe(EXIT.ok);
    const check = await run(["check", out, "--principal", ALICE, "--action", "s3:GetObject", "--resource", "arn:aws:s3:::app-data/x", "--json"]);
    expect(check.stdout).toBe('{"decision":"Allow"}\n');
  });

  it("reports DSL errors as FILE:LINE:COL with a code frame, exits 1 and leaves the old bundle", async () => {
    const manifest = await write("ws.iam", WORKSPACE.replace(" on arn", " onn arn").replace("policies ReadAppData", "policies ReadAppDta"));
    const out = await write("out.iamc", "old bundle");
    const r = await run(["compile", manifest, "-o", out]);
    expect(r.code).toBe(EXIT.invalidInput);
    expect(r.stderr).toContain("ws.iam:5:37 - error IAMC1102: expected a clause (`on`, `by`, `when`), `,` or the next statement, found `onn`");
    expect(r.stderr).toContain("5 |   allow s3:GetObject, s3:ListBucket onn arn:aws:s3:::app-data, arn:aws:s3:::app-data/*\n  |                                     ^^^");
    expect(r.stderr).toContain("help: did you mean `on`?");
    expect(r.stderr).toMatch(/no bundle written\n$/);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(await readFile(out, "utf8")).toBe("old bundle");
  });

  it("reports schema and link errors at the .iam line:column", async () => {
    const manifest = await write("ws.iam", WORKSPACE.replace("policies ReadAppData", "policies ReadAppDta"));
    const r = await run(["compile", manifest, "-o", join(dir, "out.iamc"), "--format", "json"]);
    expect(r.code).toBe(EXIT.invalidInput);
    const report = JSON.parse(r.stdout) as { diagnostics: { code: string; line: number; column: number; pointer: string }[] };
    expect(report.diagnostics).toMatchObject([{ code: "IAMC3001", line: 9, column: 83, pointer: "/principals/0/policies/0" }]);
  });
});

describe("iamc fmt", () => {
  const messy = "model   aws\npolicy ReadAppData{allow s3:GetObject,s3:ListBucket on [arn:aws:s3:::app-data]}\n";
  const tidy = "model aws\n\npolicy ReadAppData {\n  allow s3:GetObject, s3:ListBucket on [arn:aws:s3:::app-data]\n}\n";

  it("rewrites files in canonical form and says which; a second run changes nothing", async () => {
    const a = await write("a.iam", messy);
    const b = await write("b.iam", tidy);
    const r = await run(["fmt", a, b], { cwd: dir });
    expect(r).toMatchObject({ code: EXIT.ok, stdout: "", stderr: "formatted a.iam\n" });
    expect(await readFile(a, "utf8")).toBe(tidy);
    expect(await readFile(b, "utf8")).toBe(tidy);
    expect(await run(["fmt", a, b], { cwd: dir })).toMatchObject({ code: EXIT.ok, stdout: "", stderr: "" });
    await noTemporaryFiles();
  });

  it("--check lists the files that would change and exits 1, writing nothing", async () => {
    const a = await write("a.iam", messy);
    const b = await write("b.iam", tidy);
    const r = await run(["fmt", "--check", a, b], { cwd: dir });
    expect(r).toMatchObject({ code: EXIT.invalidInput, stdout: "a.iam\n", stderr: "" });
    expect(await readFile(a, "utf8")).toBe(messy);
    expect(await run(["fmt", "--check", b], { cwd: dir })).toMatchObject({ code: EXIT.ok, stdout: "" });
  });

  it("the example workspace is formatted", async () => {
    expect(await run(["fmt", "--check", join(COMPANY, "iamc.iam")])).toMatchObject({ code: EXIT.ok, stdout: "" });
  });

  it("reports every file's errors, exits 1 and writes no file", async () => {
    const a = await write("a.iam", messy);
    const broken = await write("broken.iam", "policy P {\n  allow s3:* on\n}\n");
    const json = await write("p.json", "{}");
    const r = await run(["fmt", a, broken, json], { cwd: dir });
    expect(r.code).toBe(EXIT.invalidInput);
    expect(r.stderr).toContain("broken.iam:2:16 - error IAMC1102: expected a value, found `}`");
    expect(r.stderr).toContain("p.json - error IAMC1004: ");
    expect(r.stderr).toMatch(/2 errors, 0 warnings\nno file written\n$/);
    expect(await readFile(a, "utf8")).toBe(messy);
  });

  it("reads a policy file of another model with --model", async () => {
    const rules = await write("rules.iam", "policy P{allow vm Read,Update on *}\n");
    expect((await run(["fmt", rules])).code).toBe(EXIT.invalidInput);
    expect(await run(["fmt", "--model", "krutrim", rules])).toMatchObject({ code: EXIT.ok });
    expect(await readFile(rules, "utf8")).toBe("policy P {\n  allow vm Read, Update on *\n}\n");
  });
});

describe("iamc convert", () => {
  it("JSON manifest -> .iam workspace -> JSON manifest -> .iam: the DSL text is stable, the JSON canonical", async () => {
    const iam = join(dir, "company.iam");
    const json = join(dir, "company.json");
    const again = join(dir, "again.iam");
    const first = await run(["convert", join(COMPANY, "iamc.json"), "-o", iam]);
    expect(first.stderr).toMatch(/^converted \S+iamc\.json -> \S+company\.iam \(a workspace\)\n$/);
    expect(first.code).toBe(EXIT.ok);
    expect((await run(["convert", iam, "-o", json])).code).toBe(EXIT.ok);
    expect((await run(["convert", json, "-o", again])).code).toBe(EXIT.ok);
    expect(await readFile(again, "utf8")).toBe(await readFile(iam, "utf8"));
    // canonical JSON -> DSL -> JSON is byte-identical
    const back = join(dir, "back.json");
    expect((await run(["convert", again, "-o", back])).code).toBe(EXIT.ok);
    expect(await readFile(back, "utf8")).toBe(await readFile(json, "utf8"));
  });

  it("the converted workspace compiles to the same decisions", async () => {
    const iam = join(dir, "company.iam");
    await run(["convert", join(COMPANY, "iamc.json"), "-o", iam]);
    const [a, b] = [join(dir, "a.iamc"), join(dir, "b.iamc")];
    expect((await run(["compile", COMPANY, "-o", a])).code).toBe(EXIT.ok);
    expect((await run(["compile", iam, "-o", b])).code).toBe(EXIT.ok);
    const requests = join(COMPANY, "requests.jsonl");
    const [x, y] = await Promise.all([run(["check", a, "--requests", requests]), run(["check", b, "--requests", requests])]);
    expect(y.stdout).toBe(x.stdout);
    expect(y.stdout.split("\n").length).toBe(17);
  });

  it("policy -> policy: a JSON document becomes a .iam policy named by its Id, and back", async () => {
    const iam = join(dir, "bucket.iam");
    const json = join(dir, "bucket.json");
    expect((await run(["convert", join(COMPANY, "policies", "app-data-bucket.json"), "-o", iam])).stderr).toContain("(a policy)");
    const text = await readFile(iam, "utf8");
    expect(text.startsWith("policy AppDataBucket {\n  version 2012-10-17\n  sid DenyInsecureTransport\n  deny s3:*\n")).toBe(true);
    expect((await run(["convert", iam, "-o", json])).code).toBe(EXIT.ok);
    const original = JSON.parse(await readFile(join(COMPANY, "policies", "app-data-bucket.json"), "utf8")) as unknown;
    expect(JSON.parse(await readFile(json, "utf8"))).toEqual(original);
  });

  it("a .iam workspace's `from` paths are rewritten for the output's folder", async () => {
    await mkdir(join(dir, "ws"));
    await mkdir(join(dir, "out"));
    const iam = join(dir, "ws", "iamc.iam");
    await writeFile(iam, "model aws\npolicy P from policies/p.json\n");
    expect((await run(["convert", iam, "-o", join(dir, "out", "iamc.json")])).code).toBe(EXIT.ok);
    expect(JSON.parse(await readFile(join(dir, "out", "iamc.json"), "utf8"))).toEqual({ model: "aws", policies: [{ id: "P", file: "../ws/policies/p.json" }] });
  });

  it("errors: coded, located, exit 1, nothing written; a wrong extension is a usage error", async () => {
    const two = await write("two.iam", "policy A {\n  allow * on *\n}\npolicy B {\n  allow * on *\n}\n");
    const out = join(dir, "two.json");
    const r = await run(["convert", two, "-o", out]);
    expect(r.code).toBe(EXIT.invalidInput);
    expect(r.stderr).toContain("two.iam:4:1 - error IAMC1107: the file holds 2 policies; a JSON policy file holds one");
    expect(r.stderr).toMatch(/nothing written\n$/);
    expect(existsSync(out)).toBe(false);

    const broken = await write("broken.json", '{"model": "aws", "policies": [}');
    const bad = await run(["convert", broken, "-o", join(dir, "x.iam")]);
    expect(bad.code).toBe(EXIT.invalidInput);
    expect(bad.stderr).toContain("broken.json:1:31 - error IAMC1001");

    const missing = await run(["convert", join(dir, "nope.json"), "-o", join(dir, "x.iam")]);
    expect(missing.code).toBe(EXIT.invalidInput);
    expect(missing.stderr).toContain("error IAMC1002: cannot read");

    const usage = await run(["convert", two, "-o", join(dir, "two.yaml")]);
    expect(usage.code).toBe(EXIT.usage);
    expect(usage.stderr).toContain("must end in .json or .iam");
    expect(existsSync(join(dir, "x.iam"))).toBe(false);
    await noTemporaryFiles();
  });

  it("a value the DSL cannot write is IAMC1106 at its place in the JSON", async () => {
    const json = await write("odd.json", JSON.stringify({ model: "aws", extra: true, policies: [{ id: "P", document: { Statement: [] } }] }, null, 2));
    const r = await run(["convert", json, "-o", join(dir, "odd.iam")]);
    expect(r.code).toBe(EXIT.invalidInput);
    expect(r.stderr).toContain("odd.json:3:3 - error IAMC1106: the manifest field `extra` has no DSL form");
    expect(r.stderr).toContain("odd.json:8:9 - error IAMC1106: an empty `Statement` list has no DSL form");
  });

  it("inlines .iam policy files of a JSON manifest too", async () => {
    await copyFile(join(COMPANY, "iamc.json"), join(dir, "iamc.json"));
    await mkdir(join(dir, "policies"));
    for (const file of await readdir(join(COMPANY, "policies"))) await copyFile(join(COMPANY, "policies", file), join(dir, "policies", file));
    // one policy moves to the DSL
    expect((await run(["convert", join(dir, "policies", "require-mfa.json"), "-o", join(dir, "policies", "require-mfa.iam")])).code).toBe(EXIT.ok);
    const manifest = JSON.parse(await readFile(join(dir, "iamc.json"), "utf8")) as { policies: unknown[] };
    manifest.policies = [{ file: "policies/*.json" }, { file: "policies/require-mfa.iam" }];
    await writeFile(join(dir, "iamc.json"), JSON.stringify(manifest));
    await rm(join(dir, "policies", "require-mfa.json"));
    const out = join(dir, "all.iam");
    expect((await run(["convert", join(dir, "iamc.json"), "-o", out])).code).toBe(EXIT.ok);
    expect(await readFile(out, "utf8")).toContain("policy RequireMfa {\n  version 2012-10-17\n  sid DenyAllExceptSelfServiceWithoutMfa\n");
  });
});
