#!/usr/bin/env node
// The `iamc` command line. `runCli` takes its streams and environment as arguments so tests run
// it in-process; the bin entry at the bottom wires it to the process.
//
// Exit codes: 0 ok, 1 invalid input (diagnostics, unreadable bundle or request file),
// 2 usage, 70 internal error (a bug in iamc).
import { Command, CommanderError, Option } from "commander";
import { createReadStream, existsSync, readFileSync, realpathSync } from "node:fs";
import { stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import pc from "picocolors";
import type { Explanation } from "../runtime/index.js";
import { boundedLines, LINE_TOO_LONG } from "./bounded-lines.js";
import { hasErrors, type Diagnostic } from "./diagnostics.js";
import type { ContextValue, Decision, Request } from "./ir.js";
import { diagnosticsToJson, renderDiagnostics, type RenderableDiagnostic } from "./render.js";
import {
  colorFor, describeError, displayPath, drained, emit, EXIT, fileError, loadAuthorizer, reportFailure, sourceReader, usageError,
  type CliIo, type CliStream, type CommandContext, type GlobalOptions,
} from "./cli-support.js";
import { ANALYSIS_COMMANDS } from "./commands/index.js";

export { EXIT, colorFor, type CliIo, type CliStream } from "./cli-support.js";

/** A request line that is blank, not JSON, not a request, or cannot be evaluated (runtime/errors.ts). */
const BAD_REQUEST = "IAMC5006";

/** A request file that cannot be read reuses the compiler's "a file could not be read". */
const UNREADABLE_FILE = "IAMC1002";

/** Output is written in chunks of about this many characters (and at least once per input chunk). */
const FLUSH_CHARS = 64 * 1024;
/** Compiles quicker than this show no progress line. */
const PROGRESS_DELAY_MS = 400;

/** Runs `iamc` with `argv` (the arguments after the program name) and returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const state = { exitCode: EXIT.ok as number };
  try {
    const program = buildProgram(io, state);
    await program.parseAsync([...argv], { from: "user" });
    return state.exitCode;
  } catch (err) {
    // commander reports help/version as exit 0 and every parse problem as non-zero: a usage error
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    return internalError(err, io);
  }
}

// ---------------------------------------------------------------------------------------------
// Commands

interface CompileOptions {
  readonly output: string;
  readonly format: "human" | "json";
  readonly sign?: string;
  readonly revision?: string;
}

interface RequestOptions {
  readonly principal?: string;
  readonly anonymous?: boolean;
  readonly action?: string;
  readonly resource?: string;
  readonly context?: string;
  readonly identity?: string;
  readonly via?: string;
  readonly json?: boolean;
  readonly publicKey?: readonly string[];
}

interface CheckOptions extends RequestOptions {
  readonly requests?: string;
  readonly explain?: boolean;
}

function buildProgram(io: CliIo, state: { exitCode: number }): Command {
  const program = new Command("iamc")
    .description("compile cloud IAM policies into a decision table, and check requests against it")
    .version(packageVersion(), "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .option("--no-color", "no colors in the output (also NO_COLOR=1)")
    .showHelpAfterError("(run `iamc --help` for usage)")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void io.stdout.write(s),
      writeErr: (s) => void io.stderr.write(s),
      outputError: (s, write) => write(s.startsWith("error:") ? `iamc: ${s}` : s),
      getOutHelpWidth: () => io.stdout.columns ?? 100,
      getErrHelpWidth: () => io.stderr.columns ?? 100,
    });
  const cwd = io.cwd ?? process.cwd();
  const globals = (cmd: Command) => cmd.optsWithGlobals<GlobalOptions>();

  program
    .command("compile")
    .description("compile a workspace to a .iamc bundle; on errors report them all and write nothing")
    .argument("[manifest]", "the workspace manifest (.json, or .iam in the DSL), or a directory holding iamc.json or iamc.iam", "iamc.json")
    .requiredOption("-o, --output <file>", "the bundle to write (replaced atomically)")
    .addOption(new Option("--format <format>", "diagnostics format").choices(["human", "json"]).default("human"))
    .option("--sign <key>", "sign the bundle with an ed25519 private key (from `iamc keygen`)")
    .option("--revision <n>", "record this build revision (a whole number that only grows) and the build time; hot reload refuses older revisions")
    .action(async (manifest: string, options: CompileOptions, cmd: Command) => {
      state.exitCode = await compileCommand(io, cwd, manifest, options, globals(cmd));
    });

  program
    .command("keygen")
    .description("make an ed25519 key pair for signing bundles: KEYID.key (private, mode 0600) and KEYID.pub")
    .option("-o, --output <dir>", "the directory to write the two files to", ".")
    .action(async (options: { output: string }, cmd: Command) => {
      state.exitCode = await keygenCommand(io, cwd, options.output, globals(cmd));
    });

  requestOptions(
    program
      .command("check")
      .description("decide requests: one, from options, or a JSONL stream with --requests (one JSON decision per line)")
      .argument("<bundle>", "a .iamc bundle")
      .option("--requests <file>", "JSONL requests, one per line; `-` reads stdin")
      .option("--explain", "also print the statements that decided"),
  ).action(async (bundle: string, options: CheckOptions, cmd: Command) => {
    state.exitCode = await checkCommand(io, cwd, bundle, options, globals(cmd), cmd);
  });

  requestOptions(
    program
      .command("explain")
      .description("show which policies, statements and layers decided a request, and why the others did not")
      .argument("<bundle>", "a .iamc bundle"),
  ).action(async (bundle: string, options: RequestOptions, cmd: Command) => {
    state.exitCode = await singleRequestCommand(io, cwd, bundle, options, globals(cmd), cmd, true);
  });

  program
    .command("fmt")
    .description("rewrite .iam files in canonical form, keeping their comments; --check changes nothing and lists the files that would change")
    .argument("<files...>", ".iam files")
    .option("--check", "write nothing; print the files that are not formatted and exit 1 if there are any")
    .addOption(modelOption())
    .action(async (files: string[], options: FmtOptions, cmd: Command) => {
      state.exitCode = await fmtCommand(io, cwd, files, options, globals(cmd));
    });

  program
    .command("convert")
    .description("convert between JSON and the DSL (OUT's extension picks the form): a manifest <-> a .iam workspace, a policy <-> a .iam policy file")
    .argument("<input>", "a .json or .iam file: a manifest (it has `model`) or a policy")
    .requiredOption("-o, --output <file>", "the .json or .iam file to write (replaced atomically)")
    .addOption(modelOption())
    .action(async (input: string, options: ConvertCliOptions, cmd: Command) => {
      for (const [label, file] of [["input", input], ["output", options.output]] as const) {
        if (!/\.(json|iam)$/i.test(file)) usageError(cmd, `the ${label} \`${file}\` must end in .json or .iam`);
      }
      state.exitCode = await convertCommand(io, cwd, input, options, globals(cmd));
    });

  const context: CommandContext = { io, cwd, state, globals };
  for (const register of ANALYSIS_COMMANDS) register(program, context);

  program.addHelpText(
    "after",
    [
      "",
      "Examples:",
      "  iamc compile examples/company -o company.iamc",
      "  iamc compile examples/company/iamc.iam -o company.iamc",
      "  iamc fmt --check examples/company/iamc.iam",
      "  iamc convert examples/company/iamc.json -o company.iam",
      "  iamc check company.iamc --requests requests.jsonl",
      "  iamc explain company.iamc --principal arn:aws:iam::111111111111:user/alice \\",
      "    --action s3:GetObject --resource arn:aws:s3:::acme-app-data/teams/payments/q1.csv",
      "  iamc diff examples/krutrim examples/krutrim/proposed.iam --fail-on-new-access",
      "  iamc access examples/krutrim --principal user/meera",
      "  iamc who examples/krutrim --action vm:Delete --resource vm/prod-web-1",
      "  iamc lint examples/company",
      "  iamc test examples/company examples/company/tests.json --coverage",
      "",
      "Exit codes: 0 ok, 1 invalid input, 2 usage error, 70 internal error.",
    ].join("\n"),
  );
  return program;
}

interface FmtOptions {
  readonly check?: boolean;
  readonly model?: string;
}

interface ConvertCliOptions {
  readonly output: string;
  readonly model?: string;
}

function modelOption(): Option {
  return new Option("--model <model>", "how to read a policy file that has no `model` line (default aws)").choices(["aws", "cloudalus", "krutrim"]);
}

function requestOptions(cmd: Command): Command {
  return cmd
    .option("--principal <principal>", "who asks, e.g. arn:aws:iam::111111111111:user/alice")
    .option("--anonymous", "the caller is unauthenticated (principal null)")
    .option("--action <action>", "what is asked, e.g. s3:GetObject")
    .option("--resource <resource>", "on what, e.g. arn:aws:s3:::acme-app-data/report.csv")
    .option("--context <json>", 'request context as a JSON object, e.g. \'{"aws:SecureTransport":true}\'')
    .option("--identity <id>", "cloudalus: the identity the caller adopts, e.g. org/acme")
    .option("--via <trusts>", "cloudalus: the trusts it relies on, comma-separated, e.g. t-ci")
    .option("--json", "print JSON instead of text")
    .option("--public-key <file>", "trust this ed25519 public key (repeat for several); then only bundles signed by one load", collect, []);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

async function keygenCommand(io: CliIo, cwd: string, outputDir: string, globals: GlobalOptions): Promise<number> {
  const [{ generateSigningKey }, { mkdir, writeFile }] = await Promise.all([import("./signing.js"), import("node:fs/promises")]);
  const key = generateSigningKey();
  const stem = key.keyId.replace(/^ed25519:/, "");
  const dir = resolve(cwd, outputDir);
  const privatePath = join(dir, `${stem}.key`);
  const publicPath = join(dir, `${stem}.pub`);
  try {
    await mkdir(dir, { recursive: true });
    // `wx`: never overwrite a key
    await writeFile(privatePath, key.privateKeyPem, { mode: 0o600, flag: "wx" });
    await writeFile(publicPath, key.publicKeyPem, { mode: 0o644, flag: "wx" });
  } catch (err) {
    const problem: Diagnostic = { code: "IAMC4003", severity: "error", file: dir, message: `cannot write the key pair: ${describeError(err)}`, help: "choose a directory you may write to (`-o DIR`)" };
    return reportFailure(io, cwd, globals, [problem], "no key written");
  }
  const show = displayPath(cwd);
  await emit(io.stdout, `${key.keyId}\n`);
  await emit(io.stderr, `wrote ${show(privatePath)} (private: keep it secret) and ${show(publicPath)} (give it to gateways: --public-key)\n`);
  return EXIT.ok;
}

async function compileCommand(
  io: CliIo,
  cwd: string,
  manifest: string,
  options: CompileOptions,
  globals: GlobalOptions,
): Promise<number> {
  const started = performance.now();
  const [{ compile }, { writeFileAtomic }] = await Promise.all([import("./compile.js"), import("./write-file.js")]);
  // the default manifest is iamc.json, else a workspace written in the DSL
  if (manifest === "iamc.json" && !existsSync(resolve(cwd, manifest)) && existsSync(resolve(cwd, "iamc.iam"))) manifest = "iamc.iam";
  const output = resolve(cwd, options.output);
  let sign: import("../runtime/format.js").BundleSigner | undefined;
  if (options.sign !== undefined) {
    const keyFile = resolve(cwd, options.sign);
    try {
      const { ed25519Signer } = await import("./signing.js");
      sign = ed25519Signer(readFileSync(keyFile, "utf8"));
    } catch (err) {
      const problem: Diagnostic = {
        code: "IAMC4003", severity: "error", file: keyFile,
        message: `cannot sign with \`${options.sign}\`: ${describeError(err)}`,
        help: "pass the private key `iamc keygen` wrote (PKCS#8 PEM, ed25519)",
      };
      return reportFailure(io, cwd, globals, [problem], "no bundle written");
    }
  }
  let build: { revision: number; createdAt: string } | undefined;
  if (options.revision !== undefined) {
    const revision = Number(options.revision);
    if (!/^\d+$/.test(options.revision) || !Number.isSafeInteger(revision)) {
      await emit(io.stderr, `iamc: error: --revision must be a whole number, not \`${options.revision}\`\n`);
      return EXIT.usage;
    }
    // SOURCE_DATE_EPOCH (reproducible builds) fixes the time; else now
    const epoch = io.env.SOURCE_DATE_EPOCH;
    const createdAt = new Date(epoch !== undefined && /^\d+$/.test(epoch) ? Number(epoch) * 1000 : Date.now()).toISOString();
    build = { revision, createdAt };
  }
  const progress = options.format === "human" && io.stderr.isTTY ? progressLine(io.stderr) : undefined;
  let result: Awaited<ReturnType<typeof compile>>;
  try {
    result = await compile(resolve(cwd, manifest), { ...(progress ? { onProgress: progress.update } : {}), ...(sign ? { sign } : {}), ...(build ? { build } : {}) });
  } finally {
    progress?.clear();
  }
  let diagnostics: readonly RenderableDiagnostic[] = result.diagnostics;
  const bundle = result.bundle;
  if (!hasErrors(result.diagnostics)) {
    if (!bundle) throw new Error("compile reported no error but returned no bundle");
    try {
      await writeFileAtomic(output, bundle);
    } catch (err) {
      const written: Diagnostic = {
        code: "IAMC4002",
        severity: "error",
        message: `cannot write \`${options.output}\`: ${describeError(err)}`,
        file: output,
        help: "check that the directory exists and that you may write to it",
      };
      diagnostics = [...diagnostics, written];
    }
  }
  const failed = diagnostics.some((d) => d.severity === "error");
  const elapsedMs = Math.round(performance.now() - started);
  if (options.format === "json") {
    const report = failed
      ? { ok: false, ...diagnosticsToJson(diagnostics) }
      : { ok: true, output, bytes: bundle?.byteLength ?? 0, elapsedMs, ...diagnosticsToJson(diagnostics) };
    await emit(io.stdout, JSON.stringify(report) + "\n");
    return failed ? EXIT.invalidInput : EXIT.ok;
  }
  const color = colorFor(io.stderr, io.env, globals.color);
  const c = pc.createColors(color);
  let text = renderDiagnostics(diagnostics, { color, readSource: sourceReader(cwd), displayPath: displayPath(cwd) });
  if (failed) text += `${c.red("no bundle written")}${text ? "" : "\n"}\n`;
  else {
    const shown = displayPath(cwd)(output);
    text += `compiled ${displayPath(cwd)(resolve(cwd, manifest))} -> ${c.bold(shown)} (${formatBytes(bundle?.byteLength ?? 0)}) in ${elapsedMs} ms\n`;
  }
  await emit(io.stderr, text);
  return failed ? EXIT.invalidInput : EXIT.ok;
}

async function fmtCommand(io: CliIo, cwd: string, files: readonly string[], options: FmtOptions, globals: GlobalOptions): Promise<number> {
  const { formatFile } = await import("./convert.js");
  const show = displayPath(cwd);
  const results = [];
  for (const file of files) {
    const path = resolve(cwd, file);
    results.push({ path, ...(await formatFile(path, options.model === undefined ? {} : { model: options.model })) });
  }
  const diagnostics: Diagnostic[] = results.flatMap((r) => r.diagnostics);
  const changed = results.filter((r) => r.text !== undefined && r.text !== r.original);
  if (!hasErrors(diagnostics) && options.check) {
    await emit(io.stdout, changed.map((r) => `${show(r.path)}\n`).join(""));
    return changed.length > 0 ? EXIT.invalidInput : EXIT.ok;
  }
  if (hasErrors(diagnostics)) return reportFailure(io, cwd, globals, diagnostics, "no file written");
  const { writeFileAtomic } = await import("./write-file.js");
  const written: string[] = [];
  for (const result of changed) {
    try {
      await writeFileAtomic(result.path, Buffer.from(result.text!, "utf8"));
      written.push(`formatted ${show(result.path)}\n`);
    } catch (err) {
      diagnostics.push(writeError(result.path, err));
    }
  }
  await emit(io.stderr, written.join(""));
  if (hasErrors(diagnostics)) return reportFailure(io, cwd, globals, diagnostics, undefined);
  return EXIT.ok;
}

async function convertCommand(io: CliIo, cwd: string, input: string, options: ConvertCliOptions, globals: GlobalOptions): Promise<number> {
  const { convertFile } = await import("./convert.js");
  const inputPath = resolve(cwd, input);
  const outputPath = resolve(cwd, options.output);
  const result = await convertFile(inputPath, outputPath, options.model === undefined ? {} : { model: options.model });
  if (result.text === undefined || hasErrors(result.diagnostics)) {
    return reportFailure(io, cwd, globals, result.diagnostics, "nothing written");
  }
  const { writeFileAtomic } = await import("./write-file.js");
  try {
    await writeFileAtomic(outputPath, Buffer.from(result.text, "utf8"));
  } catch (err) {
    return reportFailure(io, cwd, globals, [writeError(outputPath, err)], "nothing written");
  }
  const show = displayPath(cwd);
  await emit(io.stderr, `converted ${show(inputPath)} -> ${show(outputPath)} (${result.kind === "policy" ? "a policy" : result.kind === "tests" ? "policy tests" : "a workspace"})\n`);
  return EXIT.ok;
}

function writeError(file: string, err: unknown): Diagnostic {
  return {
    code: "IAMC1109",
    severity: "error",
    message: `cannot write \`${file}\`: ${describeError(err)}`,
    file,
    help: "check that the directory exists and that you may write to it",
  };
}

async function checkCommand(
  io: CliIo,
  cwd: string,
  bundlePath: string,
  options: CheckOptions,
  globals: GlobalOptions,
  cmd: Command,
): Promise<number> {
  if (options.requests === undefined) {
    return singleRequestCommand(io, cwd, bundlePath, options, globals, cmd, options.explain === true);
  }
  const single = (["principal", "anonymous", "action", "resource", "context", "identity", "via"] as const).filter((k) => options[k] !== undefined);
  if (single.length > 0) {
    usageError(cmd, `--requests cannot be combined with --${single[0]}: give requests in the file or as options, not both`);
  }
  const authz = await loadAuthorizer(io, cwd, bundlePath, globals, options.publicKey);
  if (typeof authz === "number") return authz;

  let input: NodeJS.ReadableStream;
  const requestsPath = options.requests === "-" ? undefined : resolve(cwd, options.requests);
  if (requestsPath === undefined) input = io.stdin;
  else {
    const problem = await unreadableFile(requestsPath);
    if (problem) return fileError(io, globals, UNREADABLE_FILE, `cannot read request file: ${problem}`, requestsPath, cwd);
    input = createReadStream(requestsPath);
  }
  const result = await checkRequests(authz, input, io.stdout, { explain: options.explain === true });
  if (result.inputError !== undefined) {
    const where = result.lines === 0 ? "cannot read request file" : `cannot read requests after line ${result.lines}`;
    const message = `${where}: ${describeError(result.inputError)}`;
    return fileError(io, globals, UNREADABLE_FILE, message, requestsPath ?? "<stdin>", cwd);
  }
  return result.aborted ? EXIT.invalidInput : EXIT.ok;
}

async function singleRequestCommand(
  io: CliIo,
  cwd: string,
  bundlePath: string,
  options: RequestOptions,
  globals: GlobalOptions,
  cmd: Command,
  explain: boolean,
): Promise<number> {
  const request = requestFromOptions(options, cmd);
  const authz = await loadAuthorizer(io, cwd, bundlePath, globals, options.publicKey);
  if (typeof authz === "number") return authz;
  const color = colorFor(io.stdout, io.env, globals.color);
  if (!explain) {
    const decision = authz.check(request);
    const text = options.json ? JSON.stringify({ decision }) : formatDecisionLine(request, decision, color);
    await emit(io.stdout, text + "\n");
    return EXIT.ok;
  }
  const explanation = authz.explain(request);
  const text = options.json ? JSON.stringify(explanation) : formatExplanation(request, explanation, color);
  await emit(io.stdout, text + "\n");
  return EXIT.ok;
}

// ---------------------------------------------------------------------------------------------
// Requests

/** What `checkRequests` needs of an authorizer. */
export interface RequestChecker {
  check(request: Request): Decision;
  explain(request: Request): { readonly decision: Decision; readonly statements: readonly unknown[] };
}

export interface CheckRequestsResult {
  /** Input lines read, each answered by one output line. */
  readonly lines: number;
  /** Lines answered with an error (fail closed: ImplicitDeny). */
  readonly errors: number;
  /** The output closed before every line was answered. */
  readonly aborted: boolean;
  /** The input failed (e.g. a read error) after `lines` lines; those were answered. */
  readonly inputError?: unknown;
}

/**
 * Decides a JSONL stream of requests: one JSON decision per input line, in order. Streams: holds
 * one input chunk and one output chunk, and waits while `output` is full. A blank, malformed or
 * ill-shaped line is answered `ImplicitDeny` with an `error` (fail closed) and processing goes on.
 */
export async function checkRequests(
  authz: RequestChecker,
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  options: { readonly explain: boolean },
): Promise<CheckRequestsResult> {
  const lines = boundedLines(input as AsyncIterable<string | Uint8Array>, MAX_REQUEST_LINE_CHARS);
  let inputError: unknown;
  // input that fails ends the stream (the loop below throws); the caller reports the error
  const onInputError = (err: unknown) => {
    inputError ??= err;
  };
  input.on("error", onInputError);
  let pending = "";
  let full = false;
  let flushScheduled = false;
  const flush = () => {
    flushScheduled = false;
    if (pending === "") return;
    const chunk = pending;
    pending = "";
    if (!output.write(chunk)) full = true;
  };
  let count = 0;
  let errors = 0;
  let aborted = false;
  try {
    for await (const raw of lines) {
      count++;
      const line = raw === LINE_TOO_LONG ? raw : count === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
      const answer = decideLine(authz, line, count, options.explain);
      if (answer.error) errors++;
      pending += answer.text;
      // a reader waiting on each answer (a service piping requests in) gets it as soon as the
      // input runs dry, not when the chunk fills
      if (pending.length >= FLUSH_CHARS) flush();
      else if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flush);
      }
      if (full) {
        full = false;
        if (!(await drained(output))) {
          aborted = true;
          break;
        }
      }
    }
  } catch (err) {
    inputError ??= err;
  } finally {
    await lines.return(undefined);
    input.removeListener("error", onInputError);
  }
  if (!aborted) {
    flush();
    if (full && !(await drained(output))) aborted = true;
  }
  return { lines: count, errors, aborted, ...(inputError !== undefined && { inputError }) };
}

const DECISION_LINES: Readonly<Record<Decision, string>> = {
  Allow: '{"decision":"Allow"}\n',
  ExplicitDeny: '{"decision":"ExplicitDeny"}\n',
  ImplicitDeny: '{"decision":"ImplicitDeny"}\n',
};

/** The longest request line `check --requests` reads (1 MiB); a longer one is denied unread. */
export const MAX_REQUEST_LINE_CHARS = 1024 * 1024;

function decideLine(authz: RequestChecker, line: string | typeof LINE_TOO_LONG, lineNo: number, explain: boolean): { text: string; error: boolean } {
  const fail = (message: string) => ({
    text:
      JSON.stringify({ decision: "ImplicitDeny", error: `${BAD_REQUEST}: line ${lineNo}: ${message}`, ...(explain && { statements: [] }) }) +
      "\n",
    error: true,
  });
  if (line === LINE_TOO_LONG) return fail(`the line is longer than ${MAX_REQUEST_LINE_CHARS} characters`);
  if (line.trim() === "") return fail("blank line, expected a JSON request");
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    return fail(`not valid JSON (${describeError(err)})`);
  }
  const problem = requestProblem(value);
  if (problem !== undefined) return fail(problem);
  const request = value as Request;
  try {
    if (!explain) {
      const decision = authz.check(request);
      const text = DECISION_LINES[decision];
      // an unknown decision from the authorizer is not an answer: fail closed
      return text ? { text, error: false } : fail(`the authorizer returned \`${String(decision)}\``);
    }
    const { decision, statements } = authz.explain(request);
    return { text: JSON.stringify({ decision, statements }) + "\n", error: false };
  } catch (err) {
    return fail(`the request could not be evaluated: ${describeError(err)}`);
  }
}

/** Why `value` is not a request, or undefined when it is one. Unknown fields are allowed (other models add some). */
export function requestProblem(value: unknown): string | undefined {
  if (!isPlainObject(value)) return "a request is a JSON object with `principal`, `action` and `resource`";
  if (!("principal" in value)) return "`principal` is missing (use null for an unauthenticated caller)";
  if (value.principal !== null && typeof value.principal !== "string") return "`principal` must be a string or null";
  for (const key of ["action", "resource"] as const) {
    if (!(key in value)) return `\`${key}\` is missing`;
    if (typeof value[key] !== "string") return `\`${key}\` must be a string`;
  }
  if (value.context !== undefined) return contextProblem(value.context, "context");
  if (value.identity !== undefined && typeof value.identity !== "string") return "`identity` must be a string";
  if (value.via !== undefined && !(Array.isArray(value.via) && value.via.every((v) => typeof v === "string"))) return "`via` must be an array of trust ids";
  return undefined;
}

function contextProblem(context: unknown, name: string): string | undefined {
  if (!isPlainObject(context)) return `\`${name}\` must be a JSON object of condition keys`;
  for (const [key, v] of Object.entries(context)) {
    const ok = v === null || isScalar(v) || (Array.isArray(v) && v.every(isScalar));
    if (!ok) return `\`${name}.${key}\` must be a string, number, boolean or an array of them`;
  }
  return undefined;
}

const isScalar = (v: unknown): boolean => typeof v === "string" || typeof v === "number" || typeof v === "boolean";

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function requestFromOptions(options: RequestOptions, cmd: Command): Request {
  if (options.principal !== undefined && options.anonymous) usageError(cmd, "give --principal or --anonymous, not both");
  if (options.principal === undefined && !options.anonymous) {
    usageError(cmd, "missing --principal (or --anonymous for an unauthenticated caller), or --requests FILE");
  }
  if (options.action === undefined) usageError(cmd, "missing required option --action <action>");
  if (options.resource === undefined) usageError(cmd, "missing required option --resource <resource>");
  let context: Record<string, ContextValue> | undefined;
  if (options.context !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(options.context);
    } catch (err) {
      usageError(cmd, `--context is not valid JSON: ${describeError(err)}`);
    }
    const problem = contextProblem(parsed, "--context");
    if (problem !== undefined) usageError(cmd, problem);
    context = parsed as Record<string, ContextValue>;
  }
  return {
    principal: options.anonymous ? null : (options.principal ?? null),
    action: options.action ?? "",
    resource: options.resource ?? "",
    ...(context !== undefined && { context }),
    ...(options.identity !== undefined && { identity: options.identity }),
    ...(options.via !== undefined && { via: options.via.split(",").map((v) => v.trim()).filter((v) => v !== "") }),
  };
}

// ---------------------------------------------------------------------------------------------
// Bundles

async function unreadableFile(path: string): Promise<string | undefined> {
  try {
    const info = await stat(path);
    return info.isDirectory() ? `\`${path}\` is a directory` : undefined;
  } catch (err) {
    return describeError(err);
  }
}

// ---------------------------------------------------------------------------------------------
// Text output

const DECISION_WORDS: Readonly<Record<Decision, string>> = { Allow: "may", ExplicitDeny: "may not", ImplicitDeny: "may not" };

function paintDecision(decision: string, c: ReturnType<typeof pc.createColors>): string {
  if (decision === "Allow") return c.bold(c.green(decision));
  if (decision === "ExplicitDeny") return c.bold(c.red(decision));
  return c.bold(c.yellow(decision));
}

/** `Allow: P may A on R`, one line. */
export function formatDecisionLine(request: Request, decision: Decision, color: boolean): string {
  const c = pc.createColors(color);
  const who = request.principal ?? "an unauthenticated caller";
  return `${paintDecision(decision, c)}: ${who} ${DECISION_WORDS[decision] ?? "may not"} ${c.bold(request.action)} on ${request.resource}`;
}

/** The text form of an explanation: decision, reason, deciding statements, layer verdicts. */
export function formatExplanation(request: Request, explanation: Explanation, color: boolean): string {
  const c = pc.createColors(color);
  const out: string[] = [];
  out.push(formatDecisionLine(request, explanation.decision, color));
  const who = request.principal ?? "(unauthenticated)";
  const facts: [string, string][] = [["reason", explanation.reason]];
  if (request.context && Object.keys(request.context).length > 0) facts.push(["context", JSON.stringify(request.context)]);
  if (request.identity !== undefined) facts.push(["identity", request.identity]);
  if (request.via !== undefined) facts.push(["via", request.via.join(", ") || "(none)"]);
  if (explanation.principalClass && explanation.principalClass !== who) facts.push(["caller", explanation.principalClass]);
  for (const [label, text] of facts) out.push(`  ${c.dim(`${label}:`.padEnd(9))}${text}`);
  out.push("");
  if (explanation.statements.length === 0) out.push(`${c.bold("deciding statements:")} none`);
  else {
    out.push(c.bold("deciding statements:"));
    const rows = explanation.statements.map((s) => [
      s.effect,
      s.layer,
      s.policy,
      `#${s.index}`,
      s.sid ?? "",
      s.conditional ? "(conditions held)" : "",
    ]);
    const paint = (s: string, col: number) => (col === 0 ? (s === "Deny" ? c.red(s) : c.green(s)) : s);
    out.push(...table([["effect", "layer", "policy", "stmt", "sid", ""], ...rows], paint, c));
  }
  out.push("");
  out.push(c.bold("layers:"));
  const rows = explanation.layers.map((l) => [
    l.layer,
    l.verdict,
    l.required ? "required" : "",
    l.required && l.verdict !== "Allow" ? "<- did not allow" : "",
  ]);
  const paint = (s: string, col: number) => {
    if (col === 1) return s === "Allow" ? c.green(s) : s === "Deny" ? c.red(s) : c.dim(s);
    if (col === 3) return c.yellow(s);
    return s;
  };
  out.push(...table([["layer", "verdict", "", ""], ...rows], paint, c));
  if (explanation.unmet.length > 0) {
    out.push("");
    out.push(c.bold("conditions that did not hold:"));
    for (const u of explanation.unmet) {
      const where = `${u.statement.policy}${u.statement.sid === undefined ? "" : `/${u.statement.sid}`} #${u.statement.index} (${u.statement.layer}, ${u.statement.effect})`;
      const seen = u.seen === undefined ? "absent" : JSON.stringify(u.seen);
      out.push(`  ${where}: ${u.operator} ${u.key} ${JSON.stringify(u.values.length === 1 ? u.values[0] : u.values)}, saw ${seen}`);
    }
  }
  if (explanation.nearMisses.length > 0) {
    out.push("");
    out.push(c.bold("almost matched:"));
    for (const m of explanation.nearMisses) {
      const where = `${m.statement.policy}${m.statement.sid === undefined ? "" : `/${m.statement.sid}`} #${m.statement.index} (${m.statement.layer})`;
      out.push(`  ${where}: ${m.missed} ${JSON.stringify(m.seen)} is not ${m.wanted.map((w) => JSON.stringify(w)).join(" or ")}`);
    }
  }
  return out.join("\n");
}

/** Rows as aligned columns; the first row is a dim header. Trailing blanks are trimmed. */
function table(rows: string[][], paint: (s: string, col: number) => string, c: ReturnType<typeof pc.createColors>): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row, r) => {
    const cells = row.map((cell, i) => {
      const padded = i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0);
      if (r === 0) return c.dim(padded);
      return cell === "" ? padded : paint(cell, i) + padded.slice(cell.length);
    });
    return `  ${cells.join("  ")}`.trimEnd();
  });
}

/** A self-erasing progress line for a terminal; silent for compiles quicker than PROGRESS_DELAY_MS. */
export function progressLine(
  stream: CliStream,
  clock: () => number = () => performance.now(),
): { update: (stage: string, done: number, total: number) => void; clear: () => void } {
  const started = clock();
  let last = 0;
  let shown = false;
  return {
    update(stage, done, total) {
      const now = clock();
      if (now - started < PROGRESS_DELAY_MS || (now - last < 100 && done < total)) return;
      last = now;
      shown = true;
      const percent = total > 0 ? ` ${Math.floor((done / total) * 100)}%` : "";
      const text = `compiling: ${stage} ${done}/${total}${percent}`.slice(0, Math.max(20, (stream.columns ?? 80) - 1));
      stream.write(`\r\x1b[2K${text}`);
    },
    clear() {
      if (shown) stream.write("\r\x1b[2K");
    },
  };
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

// ---------------------------------------------------------------------------------------------
// Environment

function internalError(err: unknown, io: CliIo): number {
  const message = err instanceof Error ? err.message : String(err);
  const debug = io.env.IAMC_DEBUG === "1";
  io.stderr.write(`iamc: internal error: ${message}\n`);
  io.stderr.write(`this is a bug in iamc; please report it with the command you ran${debug ? "" : " (IAMC_DEBUG=1 shows the stack)"}\n`);
  if (debug && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
  return EXIT.internal;
}

/** The version in iamc's package.json, found from this file in the source tree or in dist/. */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 4; up++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: unknown; version?: unknown };
      if (pkg.name === "iamc" && typeof pkg.version === "string") return pkg.version;
    } catch {
      // not here: look one directory up
    }
    dir = dirname(dir);
  }
  return "0.0.0-unknown";
}

// ---------------------------------------------------------------------------------------------
// Bin entry

function isMain(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    // npm links the bin: compare real paths
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  // a reader that went away (`iamc check ... | head`) is not an error; a full disk is
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(process.exitCode ?? EXIT.ok);
    process.stderr.write(`iamc: cannot write the output: ${err.message}\n`);
    process.exit(EXIT.invalidInput);
  });
  const io: CliIo = {
    stdout: process.stdout,
    stderr: process.stderr,
    // only touched by `--requests -`, so other commands never open stdin
    get stdin() {
      return process.stdin;
    },
    env: process.env,
  };
  runCli(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.exitCode = internalError(err, io);
    },
  );
}
