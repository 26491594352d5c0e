// Cedar (@cedar-policy/cedar-wasm, the `nodejs` build) on the standard workload.
//
// Translation, entity-free: each IAM statement becomes one Cedar policy. The caller is
// `User::"<principal id>"`, the action `Action::"<action>"` and the resource `Resource::"<arn>"`;
// the request also carries the ARN and the action in its context, because Cedar's `like` (whose
// `*` matches any run of characters, `/` included, as IAM's does) applies to strings and not to
// entity ids:
//
//   permit(principal == User::"arn:aws:iam::111111111111:user/bench", action == Action::"svc3:Get3", resource)
//     when { context.path like "arn:aws:svc3:::bucket3/*" };
//   forbid(principal == User::"…", action, resource) when { context.path like "arn:aws:*:::*/secret/*" };
//   forbid(principal == User::"…", action, resource)
//     when { context.action like "svc1:*" && context.path like "arn:aws:svc1:::*/private/*" };
//
// A group's statements are written once, for `principal in Group::"<group id>"`; each request
// then carries its caller as an entity whose parents are its groups.
//
// Cedar's semantics (forbid overrides permit, no permit is a deny) are IAM's for these
// statements. Actions compare case-sensitively here (IAM folds case); the workload's requests
// name actions as the policies do. The policy set is preparsed once (`preparsePolicySet`), each
// check is one `statefulIsAuthorized` call with no entities.
//
// On Node 20 the process must run with `--no-turbo-inline-js-wasm-calls` (V8 crashes otherwise).
import { createRequire } from "node:module";
import type { BenchRequest } from "../workloads.js";
import { holdings, parseActionPattern, type PeerEngine } from "./floor.js";

type CedarWasm = typeof import("@cedar-policy/cedar-wasm/nodejs");

let loaded: CedarWasm | undefined;
/** The `nodejs` build of cedar-wasm (CommonJS, loaded with require). */
export function cedarWasm(): CedarWasm {
  return (loaded ??= createRequire(import.meta.url)("@cedar-policy/cedar-wasm/nodejs") as CedarWasm);
}

const POLICY_SET_ID = "iamc-bench";

/** A Cedar string literal. */
function str(text: string): string {
  return JSON.stringify(text);
}

/** A Cedar `like` pattern from an IAM glob: `*` stays a wildcard (IAM has no literal `*`). */
function likePattern(glob: string): string {
  return `"${glob.replace(/[\\"]/g, (c) => "\\" + c)}"`;
}

function either(terms: string[]): string {
  return terms.length === 1 ? terms[0]! : `(${terms.join(" || ")})`;
}

/** The Cedar policy text for a manifest. */
export function cedarPolicies(manifest: unknown): string {
  const out: string[] = [];
  for (const s of holdings(manifest).statements) {
    const effect = s.effect === "Allow" ? "permit" : "forbid";
    const principal = s.group ? `principal in Group::${str(s.principal)}` : `principal == User::${str(s.principal)}`;
    const patterns = s.actions.map(parseActionPattern);
    const conditions: string[] = [];
    let action = "action";
    if (!patterns.some((p) => p.kind === "any")) {
      if (patterns.every((p) => p.kind === "exact")) {
        const ids = patterns.map((p) => `Action::${str(p.kind === "exact" ? p.action : "")}`);
        action = ids.length === 1 ? `action == ${ids[0]}` : `action in [${ids.join(", ")}]`;
      } else {
        conditions.push(either(s.actions.map((a) => `context.action like ${likePattern(a)}`)));
      }
    }
    if (!s.resources.includes("*")) conditions.push(either(s.resources.map((r) => `context.path like ${likePattern(r)}`)));
    out.push(`${effect}(${principal}, ${action}, resource)${conditions.length > 0 ? ` when { ${conditions.join(" && ")} }` : ""};`);
  }
  return out.join("\n") + "\n";
}

/** Preparses the translated policy set; returns the engine. Throws when Cedar rejects the text. */
export function setupCedar(manifest: unknown): PeerEngine {
  const cedar = cedarWasm();
  const text = cedarPolicies(manifest);
  const parsed = cedar.preparsePolicySet(POLICY_SET_ID, { staticPolicies: text });
  if (parsed.type !== "success") throw new Error(`cedar rejected the policies: ${parsed.errors.map((e) => e.message).slice(0, 3).join("; ")}`);
  // The caller entity with its groups, built once per principal.
  const entitiesOf = new Map<string, { uid: { type: string; id: string }; attrs: Record<string, never>; parents: { type: string; id: string }[] }[]>();
  for (const [principal, groups] of holdings(manifest).memberships) {
    if (groups.length > 0) entitiesOf.set(principal, [{ uid: { type: "User", id: principal }, attrs: {}, parents: groups.map((id) => ({ type: "Group", id })) }]);
  }
  return {
    name: "cedar-wasm",
    check(request: BenchRequest): boolean {
      const answer = cedar.statefulIsAuthorized({
        principal: { type: "User", id: request.principal },
        action: { type: "Action", id: request.action },
        resource: { type: "Resource", id: request.resource },
        context: { path: request.resource, action: request.action },
        entities: entitiesOf.get(request.principal) ?? [],
        preparsedPolicySetId: POLICY_SET_ID,
      });
      if (answer.type !== "success") throw new Error(`cedar failed: ${answer.errors.map((e) => e.message).join("; ")}`);
      return answer.response.decision === "allow";
    },
  };
}
