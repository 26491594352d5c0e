// The streaming core of `iamc check --requests`, against a stub authorizer: order, one answer per
// line, fail-closed errors, backpressure.
import { PassThrough, Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { checkRequests, requestProblem, type RequestChecker } from "../../compiler/cli.js";
import type { Decision, Request } from "../../compiler/ir.js";
import { Capture, jsonLines } from "./helpers.js";

const decide = (r: Request): Decision =>
  r.action === "s3:GetObject" ? "Allow" : r.action === "s3:DeleteObject" ? "ExplicitDeny" : "ImplicitDeny";

const stub: RequestChecker = {
  check: decide,
  explain: (r) => ({ decision: decide(r), statements: [{ policy: "P", index: 0, effect: "Allow", layer: "identity", conditional: false }] }),
};

const request = (action: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ principal: "arn:aws:iam::1:user/a", action, resource: "arn:aws:s3:::b/k", ...extra });

async function stream(text: string | Readable, explain = false, authz: RequestChecker = stub) {
  const output = new Capture();
  const input = typeof text === "string" ? Readable.from([text]) : text;
  const result = await checkRequests(authz, input, output, { explain });
  return { result, lines: jsonLines(output.text()) as Record<string, unknown>[], raw: output.text() };
}

describe("checkRequests", () => {
  it("answers each line, in order, with exactly {\"decision\":...}", async () => {
    const { result, raw } = await stream([request("s3:GetObject"), request("s3:DeleteObject"), request("s3:PutObject")].join("\n") + "\n");
    expect(raw).toBe('{"decision":"Allow"}\n{"decision":"ExplicitDeny"}\n{"decision":"ImplicitDeny"}\n');
    expect(result).toEqual({ lines: 3, errors: 0, aborted: false });
  });

  it("keeps one answer per line: blank, malformed and ill-shaped lines fail closed and processing goes on", async () => {
    const input = [
      request("s3:GetObject"),
      "",
      "   ",
      "{not json",
      "[1,2]",
      JSON.stringify({ action: "s3:GetObject", resource: "r" }),
      JSON.stringify({ principal: 7, action: "s3:GetObject", resource: "r" }),
      JSON.stringify({ principal: "p", action: 42, resource: "r" }),
      JSON.stringify({ principal: "p", action: "a" }),
      request("s3:GetObject", { context: { k: { nested: true } } }),
      request("s3:GetObject", { context: [1] }),
      request("s3:GetObject"),
    ].join("\n");
    const { result, lines } = await stream(input);
    expect(lines).toHaveLength(12);
    expect(lines[0]).toEqual({ decision: "Allow" });
    expect(lines[11]).toEqual({ decision: "Allow" });
    for (const [i, line] of lines.slice(1, 11).entries()) {
      expect(line.decision).toBe("ImplicitDeny");
      expect(line.error).toMatch(new RegExp(`^IAMC5006: line ${i + 2}: `));
    }
    expect(lines[3]!.error).toMatch(/not valid JSON/);
    expect(lines[5]!.error).toMatch(/`principal` is missing/);
    expect(lines[7]!.error).toMatch(/`action` must be a string/);
    expect(lines[8]!.error).toMatch(/`resource` is missing/);
    expect(lines[9]!.error).toMatch(/`context\.k`/);
    expect(result.errors).toBe(10);
  });

  it("accepts a null principal, extra fields (other models' `identity`, `via`) and context arrays", async () => {
    const { lines } = await stream(
      [
        JSON.stringify({ principal: null, action: "s3:GetObject", resource: "r" }),
        request("s3:GetObject", { identity: "pi/x", via: ["t-1"], context: { a: ["x", 1, true], b: null, c: 2.5 } }),
      ].join("\n"),
    );
    expect(lines).toEqual([{ decision: "Allow" }, { decision: "Allow" }]);
  });

  it("handles CRLF, a BOM and a missing final newline", async () => {
    const { raw } = await stream("\uFEFF" + request("s3:GetObject") + "\r\n" + request("s3:PutObject"));
    expect(raw).toBe('{"decision":"Allow"}\n{"decision":"ImplicitDeny"}\n');
  });

  it("--explain adds the deciding statements, and [] on errors", async () => {
    const { lines } = await stream(request("s3:GetObject") + "\nnope\n", true);
    expect(lines[0]).toEqual({ decision: "Allow", statements: [{ policy: "P", index: 0, effect: "Allow", layer: "identity", conditional: false }] });
    expect(lines[1]).toMatchObject({ decision: "ImplicitDeny", statements: [] });
  });

  it("fails closed when the authorizer throws or answers nonsense", async () => {
    const broken: RequestChecker = {
      check: (r) => {
        if (r.action === "boom") throw new Error("kaput");
        return "Maybe" as Decision;
      },
      explain: () => {
        throw new Error("kaput");
      },
    };
    const { lines } = await stream(request("boom") + "\n" + request("x") + "\n", false, broken);
    expect(lines[0]).toMatchObject({ decision: "ImplicitDeny", error: expect.stringMatching(/could not be evaluated: kaput/) });
    expect(lines[1]).toMatchObject({ decision: "ImplicitDeny", error: expect.stringMatching(/IAMC5006/) });
  });

  it("streams: waits on a slow output and does not read the input far ahead", async () => {
    const total = 200_000;
    let produced = 0;
    const input = Readable.from(
      (function* () {
        while (produced < total) {
          let chunk = "";
          for (let i = 0; i < 200 && produced < total; i++) {
            produced++;
            chunk += request(produced % 3 === 0 ? "s3:PutObject" : "s3:GetObject") + "\n";
          }
          yield chunk;
        }
      })(),
    );
    let written = 0;
    let maxAhead = 0;
    const output = new Capture({ highWaterMark: 1024, slow: true });
    const originalWrite = output.write.bind(output);
    output.write = ((chunk: string) => {
      written += chunk.split("\n").length - 1;
      maxAhead = Math.max(maxAhead, produced - written);
      return originalWrite(chunk);
    }) as typeof output.write;
    const result = await checkRequests(stub, input, output, { explain: false });
    expect(result.lines).toBe(total);
    const lines = output.text().split("\n");
    expect(lines).toHaveLength(total + 1);
    expect(lines[2]).toBe('{"decision":"ImplicitDeny"}');
    expect(lines[total - 1]).toBe('{"decision":"Allow"}');
    // a bounded window: a few input chunks and one output chunk, not the whole input
    expect(maxAhead).toBeLessThan(20_000);
  });

  it("answers each line as soon as the input runs dry (interactive use)", async () => {
    const input = new PassThrough();
    const output = new Capture();
    const done = checkRequests(stub, input, output, { explain: false });
    input.write(request("s3:GetObject") + "\n");
    await new Promise((r) => setTimeout(r, 20));
    expect(output.text()).toBe('{"decision":"Allow"}\n');
    input.write(request("s3:PutObject") + "\n");
    await new Promise((r) => setTimeout(r, 20));
    expect(output.text()).toBe('{"decision":"Allow"}\n{"decision":"ImplicitDeny"}\n');
    input.end();
    await expect(done).resolves.toMatchObject({ lines: 2, aborted: false });
  });

  it("reports an input that fails", async () => {
    const input = new PassThrough();
    const output = new Capture();
    const done = checkRequests(stub, input, output, { explain: false });
    input.write(request("s3:GetObject") + "\n");
    await new Promise((r) => setTimeout(r, 10));
    input.destroy(new Error("disk on fire"));
    const result = await done;
    expect(result.lines).toBe(1);
    expect(String(result.inputError)).toMatch(/disk on fire/);
    expect(output.text()).toBe('{"decision":"Allow"}\n');
  });

  it("stops when the output closes", async () => {
    const input = Readable.from([Array.from({ length: 50_000 }, () => request("s3:GetObject")).join("\n")]);
    const output = new Capture({ highWaterMark: 16, slow: true });
    setTimeout(() => output.destroy(), 5);
    const result = await checkRequests(stub, input, output, { explain: false });
    expect(result.aborted).toBe(true);
  });
});

describe("requestProblem", () => {
  it.each([
    [null, /JSON object/],
    ["str", /JSON object/],
    [{ principal: "p", action: "a", resource: "r", context: "x" }, /`context` must be a JSON object/],
    [{ principal: "p", action: "a", resource: "r", context: { k: [[1]] } }, /`context\.k`/],
  ])("%j is not a request", (value, message) => {
    expect(requestProblem(value)).toMatch(message);
  });
  it("a minimal request is one", () => {
    expect(requestProblem({ principal: null, action: "a", resource: "r" })).toBeUndefined();
  });
});
