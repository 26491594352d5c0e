// The example gateway: a toy S3-like object store (the upstream) behind iamc/http's withIamc, deciding
// with examples/company's bundle (hot-reloaded) and examples/gateway/mapping.json. The store knows
// nothing of IAM; it runs only for requests the bundle allows. Built to dist/examples/gateway/server.js:
//
//   npm start                                  # writes examples/company/company.iamc
//   node dist/examples/gateway/server.js       # PORT (default 8080), IAMC_BUNDLE, IAMC_PUBLIC_KEY
//
// See examples/gateway/README.md for curl lines that show an allow, both kinds of deny, a 401 and a 400.
import { existsSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { compileMapping, iamcAnswerOf, withIamc, type GatewayAnswer, type IamcRequestListener } from "../../gateway/http.js";

/** The store's objects at start: bucket → key → body. */
const SEED: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  "acme-home": { "home/dan/notes.txt": "dan's notes\n", "home/alice/notes.txt": "alice's notes\n" },
  "acme-app-data": { "teams/payments/ledger-2024-q1.csv": "date,amount\n2024-01-02,100\n", "reports/q1.csv": "quarter,revenue\nq1,1000\n" },
};

/** The toy upstream: GET/PUT/DELETE objects, GET a bucket to list keys (`?prefix=`). */
export function objectStore(): (req: IncomingMessage, res: ServerResponse) => void {
  const buckets = new Map(Object.entries(SEED).map(([name, objects]) => [name, new Map(Object.entries(objects))]));
  const json = (res: ServerResponse, status: number, value: unknown) =>
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value) + "\n");
  return (req, res) => {
    const url = new URL(req.url ?? "/", "http://store.invalid");
    // the same reading of the path as the gateway's: split on `/`, then decode each segment
    const [, top, bucketName, objects, ...rest] = url.pathname.split("/").map(decodeURIComponent);
    const bucket = top === "buckets" && bucketName ? buckets.get(bucketName) : undefined;
    if (bucket === undefined) return json(res, 404, { error: "no such bucket" });
    if (objects === undefined) {
      const prefix = url.searchParams.get("prefix") ?? "";
      return json(res, 200, { bucket: bucketName, keys: [...bucket.keys()].filter((k) => k.startsWith(prefix)).sort() });
    }
    const key = rest.join("/");
    switch (req.method) {
      case "GET":
      case "HEAD": {
        const body = bucket.get(key);
        if (body === undefined) return json(res, 404, { error: "no such key" });
        return res.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end(body);
      }
      case "PUT": {
        const chunks: Buffer[] = [];
        req.on("data", (chunk: Buffer) => chunks.push(chunk)).on("end", () => {
          bucket.set(key, Buffer.concat(chunks).toString("utf8"));
          json(res, 201, { stored: `${bucketName}/${key}`, by: iamcAnswerOf(req)?.request?.principal });
        });
        return;
      }
      case "DELETE":
        bucket.delete(key);
        return res.writeHead(204).end();
      default:
        return json(res, 405, { error: "method not allowed" });
    }
  };
}

/** The repository root above this file (source tree or dist/), where examples/ lives. */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "examples", "gateway", "mapping.json"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`examples/gateway/mapping.json not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

export interface ExampleGatewayOptions {
  /** Default 8080; 0 picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** Default examples/company/company.iamc (written by `npm start`). */
  readonly bundlePath?: string;
  /** Default examples/gateway/mapping.json. */
  readonly mappingPath?: string;
  /** PEM ed25519 public keys the bundle must be signed by (default: none, unsigned bundles load). */
  readonly publicKeys?: readonly string[];
  /** Print one line per request (default true). */
  readonly log?: boolean;
}

export interface ExampleGateway {
  readonly server: Server;
  readonly url: string;
  readonly listener: IamcRequestListener;
  close(): Promise<void>;
}

/** A line per answer: `403 ExplicitDeny GET /buckets/... (dan) — denied by a statement`. */
function logLine(answer: GatewayAnswer, req: IncomingMessage): string {
  const who = answer.request?.principal?.split("/").pop() ?? "-";
  const what = answer.decision ?? answer.code ?? "";
  const statement = answer.statement ? ` ${answer.statement}` : "";
  return `${answer.status} ${what.padEnd(12)} ${req.method} ${req.url} (${who})${statement}: ${answer.reason}`;
}

/** Starts the example gateway; resolves once it listens (requests are denied until the bundle loads). */
export async function startExampleGateway(options: ExampleGatewayOptions = {}): Promise<ExampleGateway> {
  const root = findRoot();
  const bundlePath = resolve(options.bundlePath ?? join(root, "examples", "company", "company.iamc"));
  const mappingPath = resolve(options.mappingPath ?? join(root, "examples", "gateway", "mapping.json"));
  // checked once at start: a bad mapping stops here with every problem and its JSON pointer
  const mapping = compileMapping(JSON.parse(readFileSync(mappingPath, "utf8")));
  const log = options.log ?? true;
  const listener = withIamc(objectStore(), {
    source: bundlePath,
    mapping,
    explain: log, // names the deciding statement in the log line
    ...(options.publicKeys ? { publicKeys: options.publicKeys } : {}),
    ...(log ? { onDecision: (answer: GatewayAnswer, req: IncomingMessage) => console.log(logLine(answer, req)) } : {}),
  });
  if (log) {
    listener.watcher?.on((event) => console.log(event.type === "loaded"
      ? `bundle loaded: ${event.source}${event.revision === undefined ? "" : ` (revision ${event.revision})`}`
      : `bundle refused, the last good one still serves: ${event.code} ${event.message}`));
  }
  const server = createServer(listener);
  await new Promise<void>((done) => server.listen(options.port ?? 8080, options.host ?? "127.0.0.1", done));
  const address = server.address() as AddressInfo;
  return {
    server,
    listener,
    url: `http://${address.address}:${address.port}`,
    close: () => {
      listener.close();
      server.closeAllConnections();
      return new Promise((done) => server.close(() => done()));
    },
  };
}

async function main(): Promise<void> {
  const keyFile = process.env.IAMC_PUBLIC_KEY;
  const gateway = await startExampleGateway({
    port: Number(process.env.PORT ?? 8080),
    ...(process.env.HOST ? { host: process.env.HOST } : {}),
    ...(process.env.IAMC_BUNDLE ? { bundlePath: process.env.IAMC_BUNDLE } : {}),
    ...(keyFile ? { publicKeys: [readFileSync(keyFile, "utf8")] } : {}),
  });
  console.log(`iamc example gateway on ${gateway.url} (Ctrl-C stops it)`);
  const bundle = process.env.IAMC_BUNDLE ?? "examples/company/company.iamc";
  if (!existsSync(resolve(process.env.IAMC_BUNDLE ?? join(findRoot(), "examples", "company", "company.iamc")))) {
    console.log(`no bundle at ${bundle} yet: every request is denied until one appears (npm start writes it)`);
  }
  const stop = () => void gateway.close().then(() => process.exit(0));
  process.once("SIGINT", stop).once("SIGTERM", stop);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
