// `iamc check` and `iamc explain` end to end: a compiled fixture bundle, request streams from a
// file and from stdin, single requests, and bundles or request files that cannot be read.
import { createWriteStream } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../../compiler/cli.js";
import { fixture, jsonLines, run, STACK_LINE, tempDir } from "./helpers.js";

const ALICE = "arn:aws:iam::111111111111:user/alice";
const REQUESTS = fixture("requests.jsonl");

let dir: string;
let cleanup: () => Promise<void>;
let bundle: string;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  bundle = join(dir, "valid.iamc");
  const r = await run(["compile", fixture("valid"), "-o", bundle]);
  expect(r.stderr).toMatch(/^compiled/);
});
afterAll(() => cleanup());

/** What fixtures/cli/requests.jsonl must decide, line by line. */
const EXPECTED = [
  { decision: "Allow" },
  { decision: "ExplicitDeny" },
  { decision: "ImplicitDeny" },
  { decision: "ImplicitDeny", error: expect.stringMatching(/^IAMC5006: line 4: blank line/) },
  { decision: "ImplicitDeny", error: expect.stringMatching(/^IAMC5006: line 5: not valid JSON/) },
  { decision: "ImplicitDeny", error: expect.stringMatching(/^IAMC5006: line 6: `action` must be a string/) },
  { decision: "ImplicitDeny" },
];

describe("iamc check --requests", () => {
  it("answers one JSON line per input line, in order; bad lines fail closed", async () => {
    const r = await run(["check", bundle, "--requests", REQUESTS]);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stderr).toBe("");
    expect(jsonLines(r.stdout)).toEqual(EXPECTED);
    expect(r.stdout.split("\n").slice(0, 3)).toEqual(['{"decision":"Allow"}', '{"decision":"ExplicitDeny"}', '{"decision":"ImplicitDeny"}']);
  });

  it("reads stdin with `-`", async () => {
    const r = await run(["check", bundle, "--requests", "-"], { stdin: await readFile(REQUESTS, "utf8") });
    expect(r.code).toBe(EXIT.ok);
    expect(jsonLines(r.stdout)).toEqual(EXPECTED);
  });

  it("--explain adds the deciding statements", async () => {
    const r = await run(["check", bundle, "--requests", REQUESTS, "--explain"]);
    expect(r.code).toBe(EXIT.ok);
    const lines = jsonLines(r.stdout) as { decision: string; statements: Record<string, unknown>[] }[];
    expect(lines).toHaveLength(EXPECTED.length);
    expect(lines[0]!.statements).toContainEqual(expect.objectContaining({ policy: "ReadAppData", sid: "ReadAll", effect: "Allow", index: 0 }));
    expect(lines[1]).toMatchObject({ decision: "ExplicitDeny" });
    expect(lines[1]!.statements).toContainEqual(
      expect.objectContaining({ policy: "ReadAppData", sid: "NoSecrets", effect: "Deny", index: 1, layer: "identity" }),
    );
    expect(lines[3]).toMatchObject({ decision: "ImplicitDeny", statements: [], error: expect.stringMatching(/^IAMC5006/) });
  });

  it("streams a large file: 50,000 lines in, 50,000 answers out, in order", async () => {
    const n = 50_000;
    const path = join(dir, "many.jsonl");
    const kinds = [
      JSON.stringify({ principal: ALICE, action: "s3:GetObject", resource: "arn:aws:s3:::app-data/r.csv" }),
      JSON.stringify({ principal: ALICE, action: "s3:GetObject", resource: "arn:aws:s3:::app-data/secret/k" }),
      JSON.stringify({ principal: ALICE, action: "s3:PutObject", resource: "arn:aws:s3:::app-data/r.csv" }),
      '{"principal": "broken',
    ];
    const wanted = ['{"decision":"Allow"}', '{"decision":"ExplicitDeny"}', '{"decision":"ImplicitDeny"}'];
    const file = createWriteStream(path);
    for (let i = 0; i < n; i++) file.write(kinds[i % 4] + "\n");
    await new Promise((resolve) => file.end(resolve));
    const r = await run(["check", bundle, "--requests", path]);
    expect(r.code).toBe(EXIT.ok);
    const out = r.stdout.split("\n");
    expect(out).toHaveLength(n + 1);
    expect(out[n]).toBe("");
    for (let i = 0; i < n; i++) {
      const line = out[i]!;
      if (i % 4 === 3) {
        if (!line.startsWith(`{"decision":"ImplicitDeny","error":"IAMC5006: line ${i + 1}: `)) expect.fail(`line ${i + 1}: ${line}`);
      } else if (line !== wanted[i % 4]) expect.fail(`line ${i + 1}: ${line}`);
    }
  }, 60_000);

  it("an unreadable request file is exit 1 with IAMC1002 and nothing on stdout", async () => {
    const missing = await run(["check", bundle, "--requests", join(dir, "nope.jsonl")]);
    expect(missing.code).toBe(EXIT.invalidInput);
    expect(missing.stderr).toMatch(/nope\.jsonl - error IAMC1002: cannot read request file: no such file/);
    expect(missing.stdout).toBe("");
    await mkdir(join(dir, "a-dir"), { recursive: true });
    const directory = await run(["check", bundle, "--requests", join(dir, "a-dir")]);
    expect(directory.code).toBe(EXIT.invalidInput);
    expect(directory.stderr).toMatch(/IAMC1002: .*is a directory/);
  });

  it("a stdin that fails is exit 1 after the lines it delivered", async () => {
    const stdin = new Readable({ read() {} });
    stdin.push(JSON.stringify({ principal: ALICE, action: "s3:GetObject", resource: "arn:aws:s3:::app-data/r.csv" }) + "\n");
    setTimeout(() => stdin.destroy(new Error("EIO: i/o error")), 20);
    const r = await run(["check", bundle, "--requests", "-"], { stdin });
    expect(r.code).toBe(EXIT.invalidInput);
    expect(r.stdout).toBe('{"decision":"Allow"}\n');
    expect(r.stderr).toMatch(/IAMC1002: cannot read requests after line 1/);
  });
});

describe("bundles that cannot be loaded: exit 1, a stable code, no stack", () => {
  const cases: [string, () => Promise<string>, RegExp][] = [
    ["a missing file", async () => join(dir, "missing.iamc"), /IAMC5001/],
    ["not a bundle", async () => write("garbage.iamc", Buffer.from("this is not a bundle at all")), /IAMC5002/],
    ["a truncated bundle", async () => write("truncated.iamc", (await readFile(bundle)).subarray(0, 200)), /IAMC500[45]/],
    [
      "a tampered bundle",
      async () => {
        const bytes = Buffer.from(await readFile(bundle));
        bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
        return write("tampered.iamc", bytes);
      },
      /IAMC500[45]/,
    ],
    ["an empty file", async () => write("empty.iamc", Buffer.alloc(0)), /IAMC500[24]/],
  ];
  const write = async (name: string, bytes: Uint8Array) => {
    const path = join(dir, name);
    await writeFile(path, bytes);
    return path;
  };
  it.each(cases)("%s", async (_name, make, code) => {
    const path = await make();
    for (const args of [
      ["check", path, "--requests", REQUESTS],
      ["check", path, "--principal", ALICE, "--action", "s3:GetObject", "--resource", "r"],
      ["explain", path, "--principal", ALICE, "--action", "s3:GetObject", "--resource", "r"],
    ]) {
      const r = await run(args);
      expect(r.code).toBe(EXIT.invalidInput);
      expect(r.stderr).toMatch(code);
      expect(r.stderr).toMatch(/\.iamc - error IAMC5\d{3}: /);
      expect(r.stderr).not.toMatch(STACK_LINE);
      expect(r.stdout).toBe("");
    }
  });
});

describe("iamc check with a single request", () => {
  const ask = (resource: string, ...more: string[]) => ["check", bundle, "--principal", ALICE, "--action", "s3:GetObject", "--resource", resource, ...more];

  it("prints one human-readable line", async () => {
    const r = await run(ask("arn:aws:s3:::app-data/r.csv"));
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toBe(`Allow: ${ALICE} may s3:GetObject on arn:aws:s3:::app-data/r.csv\n`);
    const denied = await run(ask("arn:aws:s3:::app-data/secret/k"));
    expect(denied.stdout).toBe(`ExplicitDeny: ${ALICE} may not s3:GetObject on arn:aws:s3:::app-data/secret/k\n`);
  });

  it("--json prints the decision as JSON; --context is passed through", async () => {
    const r = await run(ask("arn:aws:s3:::app-data/r.csv", "--json", "--context", '{"aws:SourceIp":"10.0.0.1","n":[1,2]}'));
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toBe('{"decision":"Allow"}\n');
  });

  it("--anonymous asks as the unauthenticated caller", async () => {
    const r = await run(["check", bundle, "--anonymous", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::app-data/r.csv", "--json"]);
    expect(r.stdout).toBe('{"decision":"ImplicitDeny"}\n');
  });
});

describe("iamc explain", () => {
  const ask = (resource: string, ...more: string[]) => ["explain", bundle, "--principal", ALICE, "--action", "s3:GetObject", "--resource", resource, ...more];

  it("shows the decision, the reason, the deciding statements and each layer", async () => {
    const r = await run(ask("arn:aws:s3:::app-data/secret/k"));
    expect(r.code).toBe(EXIT.ok);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe(`ExplicitDeny: ${ALICE} may not s3:GetObject on arn:aws:s3:::app-data/secret/k`);
    expect(r.stdout).toMatch(/\n {2}reason: +\S/);
    expect(r.stdout).toMatch(/deciding statements:\n {2}effect +layer +policy +stmt +sid\n {2}Deny +identity +ReadAppData +#1 +NoSecrets\n/);
    expect(r.stdout).toMatch(/layers:\n {2}layer +verdict\n(.*\n)* {2}identity +Deny/);
  });

  it("marks a required layer that did not allow, and says when no statement matched", async () => {
    const r = await run(["explain", bundle, "--principal", "arn:aws:iam::999999999999:user/mallory", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::app-data/r.csv"]);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toMatch(/^ImplicitDeny: /);
    expect(r.stdout).toMatch(/caller: +\S/);
    expect(r.stdout).toContain("deciding statements: none");
  });

  it("--json prints the whole explanation", async () => {
    const r = await run(ask("arn:aws:s3:::app-data/r.csv", "--json"));
    expect(r.code).toBe(EXIT.ok);
    const explanation = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(explanation).toMatchObject({
      decision: "Allow",
      reason: expect.any(String),
      principalClass: expect.any(String),
      statements: expect.arrayContaining([expect.objectContaining({ policy: "ReadAppData", sid: "ReadAll" })]),
      layers: expect.arrayContaining([expect.objectContaining({ layer: "identity", verdict: "Allow" })]),
    });
  });

  it("check --explain with a single request explains it", async () => {
    const r = await run(["check", bundle, "--principal", ALICE, "--action", "s3:GetObject", "--resource", "arn:aws:s3:::app-data/r.csv", "--explain"]);
    expect(r.stdout).toContain("deciding statements:");
  });
});
