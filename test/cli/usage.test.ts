// Usage, help, version and internal errors: everything that happens before a bundle or a
// workspace is read.
import { readFileSync } from "node:fs";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { EXIT, progressLine, runCli } from "../../compiler/cli.js";
import { Capture, REPO, run, STACK_LINE } from "./helpers.js";

const VERSION = (JSON.parse(readFileSync(`${REPO}package.json`, "utf8")) as { version: string }).version;

describe("help and version", () => {
  it("--help lists the commands and exit codes on stdout, exit 0", async () => {
    const r = await run(["--help"]);
    expect(r.code).toBe(EXIT.ok);
    for (const word of ["compile", "check", "explain", "Exit codes"]) expect(r.stdout).toContain(word);
    expect(r.stderr).toBe("");
  });

  it("each command has its own help", async () => {
    const compile = await run(["compile", "--help"]);
    expect(compile.code).toBe(0);
    expect(compile.stdout).toContain("--output");
    const check = await run(["help", "check"]);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain("--requests");
  });

  it("--version and -V print the package version", async () => {
    for (const flag of ["--version", "-V"]) {
      const r = await run([flag]);
      expect(r.code).toBe(EXIT.ok);
      expect(r.stdout).toBe(`${VERSION}\n`);
    }
  });
});

describe("usage errors exit 2 with a message and no stack", () => {
  const cases: [string, string[], RegExp][] = [
    ["no command", [], /Usage: iamc/],
    ["unknown command", ["frobnicate"], /unknown command 'frobnicate'/],
    ["unknown option", ["compile", "--frob", "-o", "x.iamc"], /unknown option '--frob'/],
    ["compile without -o", ["compile", "iamc.json"], /--output/],
    ["compile with a bad --format", ["compile", "-o", "x.iamc", "--format", "xml"], /--format/],
    ["compile with two manifests", ["compile", "a.json", "b.json", "-o", "x.iamc"], /too many arguments/],
    ["check without a bundle", ["check"], /missing required argument 'bundle'/],
    ["check with neither --requests nor a request", ["check", "b.iamc"], /--principal/],
    ["check mixing --requests and --principal", ["check", "b.iamc", "--requests", "r.jsonl", "--principal", "p"], /--requests cannot be combined/],
    ["check without --action", ["check", "b.iamc", "--principal", "p", "--resource", "r"], /--action/],
    ["explain without --resource", ["explain", "b.iamc", "--principal", "p", "--action", "s3:GetObject"], /--resource/],
    ["--principal with --anonymous", ["check", "b.iamc", "--principal", "p", "--anonymous", "--action", "a", "--resource", "r"], /not both/],
    ["--context that is not JSON", ["check", "b.iamc", "--principal", "p", "--action", "a", "--resource", "r", "--context", "{oops"], /--context is not valid JSON/],
    ["--context that is not an object", ["explain", "b.iamc", "--principal", "p", "--action", "a", "--resource", "r", "--context", "[1]"], /must be a JSON object/],
    ["--context with a nested object", ["check", "b.iamc", "--principal", "p", "--action", "a", "--resource", "r", "--context", '{"k":{"x":1}}'], /--context\.k/],
    ["--option missing its value", ["check", "b.iamc", "--requests"], /argument missing/],
  ];
  it.each(cases)("%s", async (_name, args, message) => {
    const r = await run(args);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.stdout).toBe("");
  });
});

describe("internal errors", () => {
  const throwing = () =>
    Object.assign(
      new Writable({
        write(_chunk, _encoding, callback) {
          callback();
        },
      }),
      {
        write(): boolean {
          throw new Error("boom");
        },
      },
    );

  it("exit 70 with `iamc: internal error` and a plea to report, no stack", async () => {
    const stderr = new Capture();
    const code = await runCli(["--version"], { stdout: throwing(), stderr, stdin: process.stdin, env: {} });
    expect(code).toBe(EXIT.internal);
    expect(stderr.text()).toMatch(/^iamc: internal error: boom\n.*please report/);
    expect(stderr.text()).not.toMatch(STACK_LINE);
  });

  it("IAMC_DEBUG=1 adds the stack", async () => {
    const stderr = new Capture();
    const code = await runCli(["--version"], { stdout: throwing(), stderr, stdin: process.stdin, env: { IAMC_DEBUG: "1" } });
    expect(code).toBe(EXIT.internal);
    expect(stderr.text()).toMatch(STACK_LINE);
  });
});

describe("progressLine", () => {
  it("stays silent for quick compiles, then redraws one line and erases it", () => {
    let now = 0;
    const stderr = new Capture();
    const progress = progressLine(stderr, () => now);
    progress.update("load", 0, 1);
    now = 100;
    progress.update("classes", 1, 10);
    expect(stderr.text()).toBe("");
    progress.clear();
    expect(stderr.text()).toBe("");
    now = 1000;
    progress.update("classes", 5, 10);
    now = 1010;
    progress.update("classes", 6, 10); // throttled
    now = 1200;
    progress.update("classes", 10, 10);
    progress.clear();
    expect(stderr.text()).toBe("\r\x1b[2Kcompiling: classes 5/10 50%\r\x1b[2Kcompiling: classes 10/10 100%\r\x1b[2K");
  });
});
