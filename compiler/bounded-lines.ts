// Lines of a text stream, each at most `maxChars` long: a longer line is reported as such and its
// rest skipped as it streams by, so one enormous line cannot hold the process's memory (readline
// would buffer all of it).
import { StringDecoder } from "node:string_decoder";

/** A line longer than the limit (its text is not kept). */
export const LINE_TOO_LONG: unique symbol = Symbol("line too long");

/** Splits `input` at `\n` (a `\r` before it is dropped); yields each line, or LINE_TOO_LONG. */
export async function* boundedLines(input: AsyncIterable<string | Uint8Array>, maxChars: number): AsyncGenerator<string | typeof LINE_TOO_LONG> {
  const decoder = new StringDecoder("utf8");
  let line = "";
  let overLimit = false;
  const take = (piece: string) => {
    if (overLimit) return;
    if (line.length + piece.length > maxChars) {
      overLimit = true;
      line = "";
    } else line += piece;
  };
  function* finish(): Generator<string | typeof LINE_TOO_LONG> {
    const text = line.endsWith("\r") ? line.slice(0, -1) : line;
    yield overLimit ? LINE_TOO_LONG : text;
    line = "";
    overLimit = false;
  }
  for await (const chunk of input) {
    const text = typeof chunk === "string" ? chunk : decoder.write(chunk as Buffer);
    let start = 0;
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
      take(text.slice(start, nl));
      yield* finish();
      start = nl + 1;
    }
    take(text.slice(start));
  }
  take(decoder.end());
  if (line !== "" || overLimit) yield* finish();
}
