// `iamc serve` behind a real nginx (auth_request), run by scripts/nginx-e2e.sh: allow, deny,
// 401, malformed paths and a hot reload, through nginx to a toy upstream. Where nginx is not
// installed and cannot be, the script says why and this test is skipped with that reason.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { expect, it } from "vitest";
import { REPO } from "../cli/helpers.js";

/** The script installs nginx when it can (at most ~4.5 minutes of apt-get) and runs in seconds once it is there. */
const TIMEOUT_MS = 300_000;

it("serves nginx's auth_request end to end (scripts/nginx-e2e.sh)", async (ctx) => {
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
    execFile("bash", [join(REPO, "scripts/nginx-e2e.sh")], { cwd: REPO, timeout: TIMEOUT_MS - 10_000, maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, output: `${stdout}${stderr}` });
    });
  });
  const skipped = /^SKIPPED: (.*)$/m.exec(output)?.[1];
  if (skipped !== undefined && code === 0) {
    console.warn(`nginx e2e skipped: ${skipped}`);
    ctx.skip(skipped);
  }
  expect(output, output).toMatch(/^PASS nginx-e2e: \d+ checks/m);
  expect(code, output).toBe(0);
}, TIMEOUT_MS);
