// `iamc serve BUNDLE --mapping FILE`: the authorization server for nginx auth_request and Envoy
// ext_authz (gateway/serve.ts), over a hot-reloaded bundle. Everything that can be wrong with the
// setup is found before it listens, and reported like every other iamc error (file:line:col or
// file, code, message, exit 1): the mapping file, key files, a bundle that never loads, a port
// in use. Once it serves, it runs until SIGINT or SIGTERM and then closes gracefully (exit 0).
//
// startServe is the command without the wait for a signal, so tests run the server in-process.
import { InvalidArgumentError, Option, type Command } from "commander";
import { createPublicKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { AddressInfo } from "node:net";
import type { JwtVerifier } from "../../gateway/gateway.js";
import type { CompiledMapping } from "../../gateway/mapping.js";
import type { BundleWatcher } from "../../runtime/node.js";
import type { Diagnostic } from "../diagnostics.js";
import type { Span } from "../ir.js";
import { parseJsonSource, pointerToSpan, type JsonSource } from "../json-source.js";
import type { RenderableDiagnostic } from "../render.js";
import { describeError, displayPath, emit, EXIT, fileError, readPublicKeyFiles, reportFailure, type CliIo, type CommandContext, type GlobalOptions } from "../cli-support.js";
import type { RegisterCommand } from "./index.js";

type JwtAlgorithm = "EdDSA" | "ES256" | "RS256" | "HS256";
const JWT_ALGORITHMS: readonly JwtAlgorithm[] = ["EdDSA", "ES256", "RS256", "HS256"];

/** The command's settings, parsed and checked by commander. */
export interface ServeSettings {
  readonly mapping: string;
  readonly port: number;
  readonly host: string;
  /** How often to look for a new bundle. */
  readonly intervalMs: number;
  /** How long to wait at start for the first good bundle. */
  readonly waitMs: number;
  readonly publicKeys: readonly string[];
  readonly jwtKeys: readonly string[];
  readonly jwtAlgorithms: readonly JwtAlgorithm[];
  readonly jwtIssuer?: string;
  readonly jwtAudience?: string;
  readonly pathPrefix?: string;
  readonly explain: boolean;
  /** One JSON line per decision on stdout. */
  readonly log: boolean;
  /** No startup, reload or shutdown lines on stderr (rejected bundles and errors still). */
  readonly quiet: boolean;
}

/** Defaults of the options, for code that starts the server without commander. */
export const SERVE_DEFAULTS = { port: 8181, host: "127.0.0.1", intervalMs: 1000, waitMs: 5000 } as const;

/** A running `iamc serve`. */
export interface RunningServe {
  readonly address: AddressInfo;
  /** `http://HOST:PORT`. */
  readonly url: string;
  /** Closes the server (requests in flight finish) and stops watching the bundle. */
  stop(): Promise<void>;
}

interface ServeCliOptions {
  readonly mapping: string;
  readonly port: number;
  readonly host: string;
  readonly interval: number;
  readonly wait: number;
  readonly publicKey: string[];
  readonly jwtKey: string[];
  readonly jwtAlg: JwtAlgorithm[];
  readonly jwtIssuer?: string;
  readonly jwtAudience?: string;
  readonly pathPrefix?: string;
  readonly explain: boolean;
  readonly log?: boolean;
  readonly quiet?: boolean;
}

/** Registers `iamc serve`; the gateway loads only when the command runs. */
export const registerServe: RegisterCommand = (program, context) => {
  program
    .command("serve")
    .description("answer authorization subrequests over HTTP for nginx auth_request and Envoy ext_authz (200, 401 or 403 with x-iamc-* headers), hot-reloading the bundle; runs until SIGINT/SIGTERM")
    .argument("<bundle>", "a .iamc bundle file, or an http(s):// URL to fetch it from")
    .requiredOption("--mapping <file>", "the mapping config (JSON): routes to actions and resources, and where the principal comes from")
    .addOption(new Option("--port <n>", "the port to listen on (0: any free port)").default(SERVE_DEFAULTS.port).argParser(wholeNumber("--port", 0, 65535)))
    .option("--host <host>", "the address to listen on", SERVE_DEFAULTS.host)
    .addOption(new Option("--interval <ms>", "how often to look for a new bundle").default(SERVE_DEFAULTS.intervalMs).argParser(wholeNumber("--interval", 10, 86_400_000)))
    .addOption(new Option("--wait <ms>", "how long to wait at start for the first good bundle before giving up").default(SERVE_DEFAULTS.waitMs).argParser(wholeNumber("--wait", 100, 3_600_000)))
    .option("--public-key <file>", "trust this ed25519 public key (repeat for several); then only bundles signed by one load", collect, [])
    .option("--jwt-key <file>", "verify bearer tokens with this key (repeat for several): a PEM public key (EdDSA, ES256, RS256), else the file's bytes are an HS256 secret", collect, [])
    .addOption(new Option("--jwt-alg <alg>", `accept tokens signed with this algorithm (repeat for several; HS256 only when listed): ${JWT_ALGORITHMS.join(", ")}`).default([], "EdDSA, ES256, RS256").argParser(jwtAlgorithm))
    .option("--jwt-issuer <iss>", "accept only tokens whose `iss` claim is this")
    .option("--jwt-audience <aud>", "accept only tokens whose `aud` claim holds this")
    .addOption(new Option("--path-prefix <prefix>", "Envoy's http_service.path_prefix, taken off the path of each request (e.g. /authz)").argParser(pathPrefix))
    .option("--no-explain", "do not find the deciding statement (no x-iamc-statement header; a little faster)")
    .option("--log", "print one JSON line per decision on stdout")
    .option("--quiet", "print no startup, reload or shutdown lines on stderr (errors and rejected bundles still)")
    .action(async (bundle: string, options: ServeCliOptions, cmd: Command) => {
      context.state.exitCode = await serveCommand(context, bundle, settingsOf(options), context.globals(cmd));
    });
};

function settingsOf(options: ServeCliOptions): ServeSettings {
  return {
    mapping: options.mapping, port: options.port, host: options.host, intervalMs: options.interval, waitMs: options.wait,
    publicKeys: options.publicKey, jwtKeys: options.jwtKey, jwtAlgorithms: options.jwtAlg,
    ...(options.jwtIssuer !== undefined ? { jwtIssuer: options.jwtIssuer } : {}),
    ...(options.jwtAudience !== undefined ? { jwtAudience: options.jwtAudience } : {}),
    ...(options.pathPrefix !== undefined ? { pathPrefix: options.pathPrefix } : {}),
    explain: options.explain, log: options.log === true, quiet: options.quiet === true,
  };
}

/** Serves until SIGINT or SIGTERM, then closes gracefully: exit 0. */
async function serveCommand(context: CommandContext, bundle: string, settings: ServeSettings, globals: GlobalOptions): Promise<number> {
  const running = await startServe(context.io, context.cwd, bundle, settings, globals);
  if (typeof running === "number") return running;
  const signal = await nextSignal(["SIGINT", "SIGTERM"]);
  if (!settings.quiet) await emit(context.io.stderr, `iamc serve: ${signal}: closing\n`);
  await running.stop();
  return EXIT.ok;
}

/** Resolves with the first of these signals; a second one while closing is left to Node (it exits). */
function nextSignal(signals: readonly NodeJS.Signals[]): Promise<NodeJS.Signals> {
  return new Promise((resolveSignal) => {
    const on = (signal: NodeJS.Signals) => {
      for (const s of signals) process.off(s, on);
      resolveSignal(signal);
    };
    for (const s of signals) process.on(s, on);
  });
}

/**
 * Starts `iamc serve`: checks the mapping and key files, waits for the first good bundle, then
 * listens. Returns the running server, or the exit code after reporting why it cannot start.
 */
export async function startServe(io: CliIo, cwd: string, bundle: string, settings: ServeSettings, globals: GlobalOptions = { color: false }): Promise<RunningServe | number> {
  const { createAuthServer } = await import("../../gateway/serve.js");
  const setup = { io, cwd, globals };
  const mapping = await loadMapping(setup, settings.mapping);
  if (typeof mapping === "number") return mapping;
  // each key checked now: a bad one would otherwise only show as every reload failing
  const publicKeys = await readPublicKeyFiles(setup.io, setup.cwd, setup.globals, settings.publicKeys);
  if (typeof publicKeys === "number") return publicKeys;
  const verifyJwt = await loadJwtVerifier(setup, mapping, settings);
  if (typeof verifyJwt === "number") return verifyJwt;
  const watcher = await watchUntilLoaded(setup, bundle, settings, publicKeys);
  if (typeof watcher === "number") return watcher;

  const authServer = createAuthServer({
    source: watcher,
    mapping: mapping.compiled,
    ...(verifyJwt ? { verifyJwt } : {}),
    ...(settings.pathPrefix !== undefined ? { pathPrefix: settings.pathPrefix } : {}),
    explain: settings.explain,
    ...(settings.log ? { onDecision: (record) => void emit(io.stdout, JSON.stringify({ time: new Date().toISOString(), ...record }) + "\n") } : {}),
    onError: (error) => void emit(io.stderr, `iamc serve: server error: ${oneLine(error.message)}\n`),
  });
  let address: AddressInfo;
  try {
    address = await authServer.listen(settings.port, settings.host);
  } catch (error) {
    watcher.close();
    return listenError(io, settings, error as NodeJS.ErrnoException);
  }
  const url = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;
  if (!settings.quiet) await emit(io.stderr, `iamc serve: listening on ${url} (bundle ${bundle}, ${revisionText(watcher.current?.info.build?.revision)})\n`);
  return {
    address,
    url,
    stop: async () => {
      watcher.close();
      await authServer.close();
    },
  };
}

/** What every setup step reports with. */
interface Setup {
  readonly io: CliIo;
  readonly cwd: string;
  readonly globals: GlobalOptions;
}

interface LoadedMapping {
  readonly compiled: CompiledMapping;
  /** The file as parsed, to place later problems (IAMC7005) at their line and column. */
  readonly source: JsonSource;
  readonly path: string;
}

/** The mapping: read, parsed and checked, every problem at its line and column. */
async function loadMapping({ io, cwd, globals }: Setup, file: string): Promise<LoadedMapping | number> {
  const { compileMapping, MappingError } = await import("../../gateway/mapping.js");
  const path = resolve(cwd, file);
  const source = await readMappingSource(io, cwd, globals, path);
  if (typeof source === "number") return source;
  try {
    return { compiled: compileMapping(source.value), source, path };
  } catch (error) {
    if (!(error instanceof MappingError)) throw error;
    const diagnostics = error.problems.flatMap((p) => problemDiagnostics(source, p.code, p.pointer, p.message));
    return reportFailure(io, cwd, globals, diagnostics, `\`${displayPath(cwd)(path)}\` has errors; not serving`);
  }
}

/** The JWT verifier when the mapping takes the principal from a token; undefined when it does not. */
async function loadJwtVerifier({ io, cwd, globals }: Setup, mapping: LoadedMapping, settings: ServeSettings): Promise<JwtVerifier | undefined | number> {
  if (mapping.compiled.principal.kind !== "jwt") {
    if (settings.jwtKeys.length > 0) await emit(io.stderr, "iamc serve: warning: --jwt-key is not used: the mapping's principal does not come from a JWT\n");
    return undefined;
  }
  if (settings.jwtKeys.length === 0) {
    return reportFailure(io, cwd, globals, [{
      ...problemDiagnostics(mapping.source, "IAMC7005", "/principal/jwt", "the principal comes from a JWT, but no key to verify tokens was given")[0]!,
      help: "give `--jwt-key FILE` (a PEM public key, or an HS256 secret with `--jwt-alg HS256`)",
    }], `\`${displayPath(cwd)(mapping.path)}\` needs --jwt-key; not serving`);
  }
  const { jwtVerifier } = await import("../../gateway/jwt.js");
  const options = {
    ...(settings.jwtAlgorithms.length > 0 ? { algorithms: settings.jwtAlgorithms } : {}),
    ...(settings.jwtIssuer !== undefined ? { issuer: settings.jwtIssuer } : {}),
    ...(settings.jwtAudience !== undefined ? { audience: settings.jwtAudience } : {}),
  };
  const keys: (string | { secret: Uint8Array })[] = [];
  for (const file of settings.jwtKeys) {
    const path = resolve(cwd, file);
    const key = readJwtKey(path);
    if (key instanceof Error) return fileError(io, globals, "IAMC7201", `cannot use JWT key \`${file}\`: ${describeError(key)}`, path, cwd);
    try {
      // one key at a time, so the error names the file at fault (a key too weak, its algorithm not in --jwt-alg)
      jwtVerifier({ ...options, keys: [key] });
    } catch (error) {
      return fileError(io, globals, "IAMC7201", `cannot use JWT key \`${file}\`: ${(error as Error).message.replace(/^jwtVerifier: /, "").replace("`algorithms`", "--jwt-alg")}`, path, cwd);
    }
    keys.push(key);
  }
  return jwtVerifier({ ...options, keys });
}

/**
 * Watches the bundle and waits for its first good load, saying each load and rejection on stderr
 * (a rejection repeated at every poll, once). Returns the watcher, or the exit code after saying
 * why nothing loaded in time: the last rejection's code and message.
 */
async function watchUntilLoaded({ io, cwd, globals }: Setup, bundle: string, settings: ServeSettings, publicKeys: readonly string[]): Promise<BundleWatcher | number> {
  const { watchBundle } = await import("../../runtime/node.js");
  const isUrl = /^https?:\/\//i.test(bundle);
  const source = isUrl ? bundle : resolve(cwd, bundle);
  const watcher = watchBundle(source, { intervalMs: settings.intervalMs, publicKeys });
  let lastRejection: { code: string; message: string } | undefined;
  watcher.on((event) => {
    if (event.type === "loaded") {
      lastRejection = undefined;
      if (!settings.quiet) void emit(io.stderr, `iamc serve: loaded ${bundle} (${revisionText(event.revision)}${event.keyId === undefined ? "" : `, signed by ${event.keyId}`})\n`);
      return;
    }
    if (lastRejection?.code === event.code && lastRejection.message === event.message) return;
    lastRejection = { code: event.code, message: event.message };
    const kept = watcher.current === undefined ? "no bundle serves yet" : "the last good bundle still serves";
    void emit(io.stderr, `iamc serve: rejected ${bundle}: ${event.code} ${oneLine(event.message)} (${kept})\n`);
  });
  const first = await Promise.race([watcher.ready(), delay(settings.waitMs)]);
  if (first !== undefined) return watcher;
  watcher.close();
  const why = lastRejection ?? { code: "IAMC5001", message: "nothing could be read yet" };
  return fileError(io, globals, why.code, `no good bundle loaded within ${settings.waitMs} ms: ${oneLine(why.message)}`, source, cwd);
}

// ---------------------------------------------------------------------------------------------
// The mapping file and its errors.

/** The mapping file parsed with its line table, or the exit code after reporting why it cannot be. */
async function readMappingSource(io: CliIo, cwd: string, globals: GlobalOptions, path: string): Promise<JsonSource | number> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    return fileError(io, globals, "IAMC7004", `cannot read the mapping file: ${describeError(error)}`, path, cwd);
  }
  const parsed = parseJsonSource(path, text);
  if (parsed.value !== undefined) return parsed.value;
  // a syntax error in a mapping is the mapping's "not JSON" (IAMC7004); a key written twice keeps its own code
  const diagnostics = parsed.diagnostics.map((d: Diagnostic): RenderableDiagnostic => (d.code === "IAMC1001" ? { ...d, code: "IAMC7004" } : d));
  return reportFailure(io, cwd, globals, diagnostics, `\`${displayPath(cwd)(path)}\` is not valid JSON; not serving`);
}

/**
 * A mapping problem at its place in the file: the value at the pointer; for an unknown key
 * (compileMapping gives one problem per key, at the key), the key itself; for a missing one (no
 * place of its own), the object it is missing from.
 */
function problemDiagnostics(source: JsonSource, code: string, pointer: string, message: string): RenderableDiagnostic[] {
  const target = message.startsWith("unknown key") ? "key" : "value";
  const span = pointerToSpan(source, pointer, target) ?? spanNear(source, pointer);
  return [{ code, severity: "error", message, file: source.file, pointer, ...(span ? { span } : {}) }];
}

function spanNear(source: JsonSource, pointer: string): Span | undefined {
  let at = pointer;
  for (;;) {
    const span = pointerToSpan(source, at);
    if (span !== undefined || at === "") return span;
    at = at.slice(0, at.lastIndexOf("/"));
  }
}

// ---------------------------------------------------------------------------------------------
// Keys, listening, small pieces.

/** A JWT key file: PEM text (checked now) or, when it is not PEM, an HS256 secret (its bytes, less a final newline). */
function readJwtKey(path: string): string | { secret: Uint8Array } | Error {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    return error as Error;
  }
  const text = bytes.toString("utf8");
  if (text.includes("-----BEGIN")) {
    try {
      createPublicKey(text);
      return text;
    } catch (error) {
      return new Error(`it is PEM but not a key Node can read (${(error as Error).message})`);
    }
  }
  // `echo secret > file` adds a newline nobody means as part of the secret
  const end = bytes.at(-1) === 0x0a ? (bytes.at(-2) === 0x0d ? bytes.length - 2 : bytes.length - 1) : bytes.length;
  if (end === 0) return new Error("the file is empty");
  return { secret: new Uint8Array(bytes.subarray(0, end)) };
}

async function listenError(io: CliIo, settings: ServeSettings, error: NodeJS.ErrnoException): Promise<number> {
  const where = `${settings.host}:${settings.port}`;
  const why =
    error.code === "EADDRINUSE" ? `port ${settings.port} on ${settings.host} is already in use (stop what holds it, or give another --port)`
    : error.code === "EACCES" ? `not permitted to listen on ${where} (ports below 1024 need privileges: give --port 1024 or above)`
    : error.code === "EADDRNOTAVAIL" ? `${settings.host} is not an address of this machine (give --host 127.0.0.1, or 0.0.0.0 for every address)`
    : error.code === "ENOTFOUND" || error.code === "EAI_AGAIN" ? `the host \`${settings.host}\` cannot be resolved`
    : `cannot listen on ${where}: ${error.message}`;
  await emit(io.stderr, `iamc serve: error IAMC7202: ${why}\n`);
  return EXIT.invalidInput;
}

const revisionText = (revision: number | undefined): string => (revision === undefined ? "no revision recorded" : `revision ${revision}`);
const oneLine = (text: string): string => text.replace(/\s*[\r\n]+\s*/g, " ");
const delay = (ms: number): Promise<undefined> =>
  new Promise((resolveDelay) => setTimeout(() => resolveDelay(undefined), ms).unref());

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function wholeNumber(flag: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) throw new InvalidArgumentError(`${flag} must be a whole number from ${min} to ${max}, not \`${value}\``);
    return n;
  };
}

function jwtAlgorithm(value: string, previous: JwtAlgorithm[]): JwtAlgorithm[] {
  const alg = JWT_ALGORITHMS.find((a) => a.toLowerCase() === value.toLowerCase());
  if (alg === undefined) throw new InvalidArgumentError(`\`${value}\` is not one of ${JWT_ALGORITHMS.join(", ")}`);
  return [...previous, alg];
}

/** The command line's check of gateway/serve.ts's isPathPrefix (not imported: the gateway loads only when serve runs). */
function pathPrefix(value: string): string {
  if (!/^\/[^?#]*$/.test(value) || value.endsWith("/")) {
    throw new InvalidArgumentError(`\`${value}\` is not a path prefix: it starts with \`/\` and does not end with one, e.g. /authz`);
  }
  return value;
}
