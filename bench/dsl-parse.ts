// DSL parse speed: lines of `.iam` per second, warm, on a generated workspace of about 50,000
// lines (policies with conditions, principals with tags, groups, resources). The whole front half
// is timed: lexing, parsing, the CST visitor, the located tree and its plain value.
import { parseIam } from "../grammar/index.js";

/** The measured speed. */
export interface DslParseResult {
  readonly lines: number;
  /** Median time of one parse of the whole text. */
  readonly ms: number;
  readonly linesPerSecond: number;
}

/** A workspace of about `targetLines` lines, deterministic. */
export function generateDslWorkspace(targetLines = 50_000): string {
  const out: string[] = ["model aws", ""];
  let i = 0;
  while (out.length < targetLines) {
    const svc = `svc${i % 50}`;
    out.push(
      `# policy ${i}`,
      `policy P${i} {`,
      "  version 2012-10-17",
      `  sid Read${i}`,
      `  allow ${svc}:Get${i}, ${svc}:List* on arn:aws:${svc}:::bucket${i}/*, arn:aws:${svc}:::bucket${i}`,
      `    when aws:SecureTransport is true and aws:SourceIp in 10.${i % 256}.0.0/16`,
      "",
      `  deny ${svc}:Delete* on arn:aws:*:::*/secret/* when aws:PrincipalTag/team != red, blue`,
      "",
      `  allow s3:GetObject on arn:aws:s3:::home/\${aws:username}/* by AWS arn:aws:iam::111111111111:root`,
      "}",
      "",
      `group g${i} in account 111111111111 { policies P${i} }`,
      `principal arn:aws:iam::111111111111:user/u${i} in account 111111111111 {`,
      `  groups g${i}`,
      `  tags { team = red, env = "prod ${i % 3}" }`,
      "}",
      `resource arn:aws:s3:::bucket${i} in account 111111111111`,
      "",
    );
    i++;
  }
  return out.join("\n");
}

/** Parses a ~50k-line workspace: a few warm-up runs, then the median of timed ones. */
export function measureDslParse(options: { readonly lines?: number; readonly runs?: number } = {}): DslParseResult {
  const text = generateDslWorkspace(options.lines ?? 50_000);
  const lines = text.split("\n").length;
  const check = parseIam(text);
  if (check.problems.length > 0) throw new Error(`the generated workspace does not parse: ${check.problems[0]!.message}`);
  for (let warm = 0; warm < 3; warm++) parseIam(text);
  const times: number[] = [];
  for (let run = 0; run < (options.runs ?? 5); run++) {
    const started = performance.now();
    parseIam(text);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const ms = times[Math.floor(times.length / 2)]!;
  return { lines, ms, linesPerSecond: Math.round((lines / ms) * 1000) };
}
