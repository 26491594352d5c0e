// The example gateway (examples/gateway): its mapping compiles, and every curl line of its README
// gets the status (and decision) the README states, against the server started in-process on a
// free port with a freshly compiled examples/company bundle.
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";
import { startExampleGateway, type ExampleGateway } from "../../examples/gateway/server.js";
import { compileMapping } from "../../gateway/http.js";
import { REPO, tempDir } from "../cli/helpers.js";

const README = readFileSync(join(REPO, "examples", "gateway", "README.md"), "utf8");
const MAPPING = JSON.parse(readFileSync(join(REPO, "examples", "gateway", "mapping.json"), "utf8"));

interface CurlCase {
  readonly line: string;
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
  readonly pathAsIs: boolean;
  readonly status: number;
  readonly decision: string | undefined;
}

/** Splits a shell line into words: single quotes only, as the README writes them. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  for (const match of line.matchAll(/'([^']*)'|(\S+)/g)) words.push(match[1] ?? match[2]!);
  return words;
}

/** The curl lines of the README's sh blocks, each with the `# → STATUS [Decision]` line after it. */
function curlCases(markdown: string): CurlCase[] {
  const cases: CurlCase[] = [];
  for (const block of markdown.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const lines = block[1]!.split("\n");
    lines.forEach((line, i) => {
      if (!line.startsWith("curl ")) return;
      const stated = /^# → (\d{3})(?: (\w+))?$/.exec(lines[i + 1] ?? "");
      if (!stated) throw new Error(`README: \`${line}\` is not followed by \`# → STATUS\``);
      const words = shellWords(line).slice(1);
      let method: string | undefined;
      let body: string | undefined;
      let url = "";
      let pathAsIs = false;
      const headers: Record<string, string> = {};
      for (let w = 0; w < words.length; w++) {
        const word = words[w]!;
        if (word === "-i") continue;
        else if (word === "--path-as-is") pathAsIs = true;
        else if (word === "-X") method = words[++w];
        else if (word === "--data") body = words[++w];
        else if (word === "-H") {
          const header = words[++w]!;
          const colon = header.indexOf(":");
          headers[header.slice(0, colon).trim().toLowerCase()] = header.slice(colon + 1).trim();
        } else if (word.startsWith("http://")) url = word;
        else throw new Error(`README: curl option \`${word}\` is not understood by this test`);
      }
      cases.push({
        line, method: method ?? (body === undefined ? "GET" : "POST"), url, headers, body, pathAsIs,
        status: Number(stated[1]), decision: stated[2],
      });
    });
  }
  return cases;
}

/** Sends a curl case to `base` the way curl would: dot segments resolved unless --path-as-is. */
function send(base: string, c: CurlCase): Promise<{ status: number; decision: string | undefined; body: string }> {
  const target = c.url.replace(/^http:\/\/[^/]+/, "");
  const path = c.pathAsIs ? target : (() => {
    const u = new URL(c.url);
    return u.pathname + u.search;
  })();
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, path, method: c.method, headers: c.headers, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk)).on("end", () =>
        resolve({ status: res.statusCode!, decision: res.headers["x-iamc-decision"] as string | undefined, body }));
    });
    req.on("error", reject).end(c.body);
  });
}

describe("examples/gateway", () => {
  let gateway: ExampleGateway;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const temp = await tempDir();
    cleanup = temp.cleanup;
    const { bundle, diagnostics } = await compile(join(REPO, "examples", "company"));
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const bundlePath = join(temp.dir, "company.iamc");
    await writeFile(bundlePath, bundle!);
    gateway = await startExampleGateway({ port: 0, bundlePath, log: false });
    await gateway.listener.ready();
  });
  afterAll(async () => {
    await gateway?.close();
    await cleanup?.();
  });

  it("has a mapping that compiles, with S3 actions on S3 resources", () => {
    const compiled = compileMapping(MAPPING);
    expect(compiled.principal.kind).toBe("header");
    expect(MAPPING.routes.map((r: { action: string }) => r.action)).toEqual(["s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject"]);
    expect(MAPPING.routes.every((r: { resource: string }) => r.resource.startsWith("arn:aws:s3:::{bucket}"))).toBe(true);
  });

  it("docs/http.md's mapping example compiles", () => {
    const doc = readFileSync(join(REPO, "docs", "http.md"), "utf8");
    const json = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!));
    expect(json.length).toBeGreaterThanOrEqual(1);
    for (const mapping of json) expect(() => compileMapping(mapping)).not.toThrow();
  });

  const cases = curlCases(README);

  it("states an allow, an implicit deny, an explicit deny, a 401 and a 400 in its README", () => {
    const stated = new Set(cases.map((c) => `${c.status}${c.decision ? ` ${c.decision}` : ""}`));
    for (const wanted of ["200", "403 ImplicitDeny", "403 ExplicitDeny", "401", "400"]) expect(stated).toContain(wanted);
  });

  it.each(cases.map((c) => [c.line, c] as const))("%s", async (_, c) => {
    const reply = await send(gateway.url, c);
    expect(reply.status, reply.body).toBe(c.status);
    if (c.decision !== undefined) expect(reply.decision).toBe(c.decision);
  });
});
