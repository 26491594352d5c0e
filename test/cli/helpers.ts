// In-process harness for `runCli`: captured stdout/stderr, a chosen stdin and environment.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { runCli, type CliIo } from "../../compiler/cli.js";

export const REPO = fileURLToPath(new URL("../../", import.meta.url));
export const FIXTURES = fileURLToPath(new URL("../fixtures/cli/", import.meta.url));
export const fixture = (...parts: string[]) => join(FIXTURES, ...parts);

/** A writable that keeps what is written to it. */
export class Capture extends Writable {
  readonly chunks: string[] = [];
  isTTY = false;
  columns = 100;
  constructor(options: { highWaterMark?: number; slow?: boolean } = {}) {
    super({
      highWaterMark: options.highWaterMark ?? 16 * 1024,
      write: (chunk: Buffer, _encoding, callback) => {
        this.chunks.push(chunk.toString("utf8"));
        if (options.slow) setImmediate(callback);
        else callback();
      },
    });
  }
  text(): string {
    return this.chunks.join("");
  }
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `iamc ARGS` in-process. */
export async function run(
  args: readonly string[],
  options: { stdin?: string | Readable; env?: Record<string, string>; stdout?: Capture; cwd?: string } = {},
): Promise<RunResult> {
  const stdout = options.stdout ?? new Capture();
  const stderr = new Capture();
  const stdin = typeof options.stdin === "string" ? Readable.from([options.stdin]) : (options.stdin ?? Readable.from([]));
  const io: CliIo = { stdout, stderr, stdin, env: options.env ?? {}, cwd: options.cwd ?? REPO };
  const code = await runCli(args, io);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** A fresh temporary directory, removed by the returned cleanup. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "iamc-cli-"));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Parses JSONL output into objects. */
export const jsonLines = (text: string): unknown[] =>
  text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as unknown);

/** A stack trace line, which user-facing output never holds. */
export const STACK_LINE = /^\s+at .+\(.+:\d+:\d+\)$|^\s+at .+:\d+:\d+$/m;
