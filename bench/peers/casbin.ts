// casbin (node-casbin 5) on the standard workload: an RBAC model with deny-override.
//
// Each IAM policy becomes a role; the principals and groups that hold it get
// `g, <principal or group>, <policy id>`, members `g, <principal>, <group>` (casbin's role
// hierarchy),
// and each (action, resource) of a statement becomes a line `p, <policy id>, <resource>, <action>,
// allow|deny`. Actions match with keyMatch (`svc1:*` is a prefix, `*` is everything, anything
// else is exact). Allow resources match with keyMatch too: the workload's `arn:…:::bucket3/*` is
// exactly keyMatch's trailing-`*` prefix. keyMatch cannot say `arn:aws:*:::*/secret/*` (a `*`
// mid-pattern, matching across `/`), so deny resources become anchored regexes for regexMatch:
//
//   [matchers]
//   m = g(r.sub, p.sub) && keyMatch(r.act, p.act) &&
//       (p.eft == "allow" && keyMatch(r.obj, p.obj) || p.eft == "deny" && regexMatch(r.obj, p.obj))
//
// An allow whose resource keyMatch cannot express is refused (the row is then aborted with a note).
// Actions compare case-sensitively (IAM folds case); the workload's requests name actions as the
// policies do. Checks use enforceSync (enforce() is the same work behind a promise).
import { newEnforcer, newModelFromString, StringAdapter } from "casbin";
import type { BenchRequest } from "../workloads.js";
import { holdings, type PeerEngine } from "./floor.js";

export const CASBIN_MODEL = `
[request_definition]
r = sub, obj, act

[policy_definition]
p = sub, obj, act, eft

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))

[matchers]
m = g(r.sub, p.sub) && keyMatch(r.act, p.act) && (p.eft == "allow" && keyMatch(r.obj, p.obj) || p.eft == "deny" && regexMatch(r.obj, p.obj))
`;

/** A field of a policy line: the CSV loader splits on `,` and treats brackets and quotes specially. */
function field(text: string): string {
  if (/[,"()\n]/.test(text)) throw new Error(`casbin: ${text} cannot be written in a policy line`);
  return text;
}

function keyMatchPattern(glob: string): string {
  const star = glob.indexOf("*");
  if (star !== -1 && star !== glob.length - 1) throw new Error(`casbin: keyMatch cannot express ${glob} (only a trailing *)`);
  return field(glob);
}

/** An anchored regex with IAM's `*` (any run of characters, `/` included). */
function globRegex(glob: string): string {
  return field("^" + glob.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*") + "$");
}

/** The policy lines (`p, …` and `g, …`) for a manifest. */
export function casbinPolicyLines(manifest: unknown): string[] {
  const { statements, memberships } = holdings(manifest);
  const lines: string[] = [];
  const grants = new Set<string>();
  const writer = new Map<string, string>(); // policy -> the holder whose copy is written
  for (const s of statements) {
    grants.add(`g, ${field(s.principal)}, ${field(s.policy)}`);
    if (!writer.has(s.policy)) writer.set(s.policy, s.principal);
    if (writer.get(s.policy) !== s.principal) continue; // a policy's lines once, whoever holds it
    for (const action of s.actions) {
      const act = keyMatchPattern(action);
      for (const resource of s.resources) {
        const obj = s.effect === "Allow" ? keyMatchPattern(resource) : globRegex(resource);
        lines.push(`p, ${field(s.policy)}, ${obj}, ${act}, ${s.effect === "Allow" ? "allow" : "deny"}`);
      }
    }
  }
  for (const [principal, groups] of memberships) for (const group of groups) grants.add(`g, ${field(principal)}, ${field(group)}`);
  return [...lines, ...grants];
}

export async function setupCasbin(manifest: unknown): Promise<PeerEngine> {
  const enforcer = await newEnforcer(newModelFromString(CASBIN_MODEL), new StringAdapter(casbinPolicyLines(manifest).join("\n")));
  return {
    name: "casbin",
    check(request: BenchRequest): boolean {
      return enforcer.enforceSync(request.principal, request.resource, request.action);
    },
  };
}
