// Every system-managed policy of the Krutrim seed, pinned by its exact name: its service, its
// operations (C, R, U, D), the resources iamc scopes it to, and its documented description. The
// table is written out here, not derived from the code, so a rename or a changed meaning shows.
import { describe, expect, test } from "vitest";
import type { Request } from "../../compiler/ir.js";
import { lowerSystemPolicy } from "../../compiler/krutrim/lower.js";
import { ACCESS_OPERATIONS, SYSTEM_POLICIES, SYSTEM_POLICY_BY_NAME, isSystemPolicyName } from "../../compiler/krutrim/system-policies.js";
import { evaluateKrutrim } from "../../compiler/reference/evaluate-krutrim.js";
import { KRUTRIM_SERVICES } from "../../compiler/schema/krutrim.js";
import { krutrimWorkspaceFromJson } from "../support/krutrim-workspace.js";

// [service, name, operations, resources, description], in the seed's order
const PINNED: readonly (readonly [string, string, string, string, string])[] = [
  ["asg", "KASGFullAccess", "CRUD", "*", "Krutrim ASG Full Access Policy"],
  ["asg", "KASGReadOnlyAccess", "R", "*", "Krutrim ASG Read Only Access Policy"],
  ["asg", "KASGReadWriteAccess", "CRU", "*", "Krutrim ASG Read Write Access Policy"],
  ["billing", "KBillingFullAccess", "CRUD", "*", "Krutrim Billing Full Access Policy"],
  ["dbaas", "KDBaaSFullAccess", "CRUD", "*", "Krutrim DBaaS Full Access Policy"],
  ["dbaas", "KDBaaSReadOnlyAccess", "R", "*", "Krutrim DBaaS Read Only Access Policy"],
  ["dbaas", "KDBaaSReadWriteAccess", "CRU", "*", "Krutrim DBaaS Read Write Access Policy"],
  ["dns", "KDNSFullAccess", "CRUD", "*", "Krutrim DNS Full Access Policy"],
  ["dns", "KDNSReadOnlyAccess", "R", "*", "Krutrim DNS Read Only Access Policy"],
  ["dns", "KDNSReadWriteAccess", "CRU", "*", "Krutrim DNS Read Write Access Policy"],
  ["evaluation", "KEvaluationFullAccess", "CRUD", "*", "Krutrim Evaluation Full Access Policy"],
  ["evaluation", "KEvaluationReadOnlyAccess", "R", "*", "Krutrim Evaluation Read Only Access Policy"],
  ["evaluation", "KEvaluationReadWriteAccess", "CRU", "*", "Krutrim Evaluation Read Write Access Policy"],
  ["finetuning", "KFineTuningFullAccess", "CRUD", "*", "Krutrim Fine Tuning Full Access Policy"],
  ["finetuning", "KFineTuningReadOnlyAccess", "R", "*", "Krutrim Fine Tuning Read Only Access Policy"],
  ["finetuning", "KFineTuningReadWriteAccess", "CRU", "*", "Krutrim Fine Tuning Read Write Access Policy"],
  ["iam", "KIAMFullAdminAccessAllResources", "CRUD", "*", "Krutrim Centralized IAM Full Access Policy across all IAM resources"],
  ["iam", "KIAMReadOnlyAccessAllResources", "R", "*", "Krutrim Centralized IAM Read Only Access Policy across all IAM resources"],
  ["iam", "KIAMReadWriteOnlyAccessAllResources", "CRU", "*", "Krutrim Centralized IAM Read Write Access Policy across all IAM resources"],
  ["iam", "KIAMGroupManagerAccess", "CRUD", "group/*", "Krutrim Centralized IAM Group Management Access Policy"],
  ["iam", "KIAMGroupReadOnlyAccess", "R", "group/*", "Krutrim Centralized IAM Group Read Only Access Policy"],
  ["iam", "KIAMGroupReadWriteAccess", "CRU", "group/*", "Krutrim Centralized IAM Group read Write Access Policy"],
  ["iam", "KIAMMappingManagerAccess", "CRUD", "mapping/*", "Krutrim Centralized IAM User/Group/Role/Policies Association Full Access Policy"],
  ["iam", "KIAMMappingReadOnlyAccess", "R", "mapping/*", "Krutrim Centralized IAM User/Group/Role/Policies Association Read Only Access Policy"],
  ["iam", "KIAMMappingReadWriteAccess", "CRU", "mapping/*", "Krutrim Centralized IAM User/Group/Role/Policies Association Read Write Access Policy"],
  ["iam", "KIAMPolicyManagerAccess", "CRUD", "policy/*", "Krutrim Centralized IAM Policy Management Access Policy"],
  ["iam", "KIAMPolicyReadOnlyAccess", "R", "policy/*", "Krutrim Centralized IAM Policy Read Only Access Policy"],
  ["iam", "KIAMPolicyReadWriteAccess", "CRU", "policy/*", "Krutrim Centralized IAM Policy Read Write Access Policy"],
  ["iam", "KIAMRoleManagerAccess", "CRUD", "role/*", "Krutrim Centralized IAM Role Management Access Policy"],
  ["iam", "KIAMRoleReadOnlyAccess", "R", "role/*", "Krutrim Centralized IAM Role Read Only Access Policy"],
  ["iam", "KIAMRolereadWriteAccess", "CRU", "role/*", "Krutrim Centralized IAM Role Read write Access Policy"],
  ["iam", "KIAMUserManagerAccess", "CRUD", "user/*", "Krutrim Centralized IAM User Management Full Access Policy"],
  ["iam", "KIAMUserReadOnlyAccess", "R", "user/*", "Krutrim Centralized IAM User Read Only Access Policy"],
  ["iam", "KIAMUserReadWriteAccess", "CRU", "user/*", "Krutrim Centralized IAM User Read Write Access Policy"],
  ["inference", "KInferenceFullAccess", "CRUD", "*", "Krutrim Inference Full Access Policy"],
  ["inference", "KInferenceReadOnlyAccess", "R", "*", "Krutrim Inference Read Only Access Policy"],
  ["inference", "KInferenceReadWriteAccess", "CRU", "*", "Krutrim Inference Read Write Access Policy"],
  ["kbs", "KBlockStorageFullAccess", "CRUD", "*", "Krutrim Block Storage Full Access Policy"],
  ["kbs", "KBlockStorageReadOnlyAccess", "R", "*", "Krutrim Block Storage Read Only Access Policy"],
  ["kbs", "KBlockStorageReadWriteAccess", "CRU", "*", "Krutrim Block Storage Read Write Access Policy"],
  ["kcm", "KCertManagerFullAccess", "CRUD", "*", "Krutrim Certificate Manager Full Access Policy"],
  ["kcm", "KCertManagerReadOnlyAccess", "R", "*", "Krutrim Certificate Manager Read Only Access Policy"],
  ["kcm", "KCertManagerReadWriteAccess", "CRU", "*", "Krutrim Certificate Manager Read Write Access Policy"],
  ["kks", "KKSFullAccess", "CRUD", "*", "Kubernetes Full Access Policy"],
  ["kks", "KKSReadAccess", "R", "*", "Kubernetes Read Only Access Policy"],
  ["kks", "KKSWriteAccess", "CRU", "*", "Kubernetes Read and Write only Access Policy"],
  ["kos", "KObjectStorageAccessKeyFullAccess", "CRUD", "accesskey/*", "Krutrim Access Key Full Access Policy"],
  ["kos", "KObjectStorageFullAccess", "CRUD", "*", "Krutrim Object Storage Full Access Policy"],
  ["kos", "KObjectStorageReadOnlyAccess", "R", "*", "Krutrim Object Storage Read Only Access Policy"],
  ["kos", "KObjectStorageReadWriteAccess", "CRU", "*", "Krutrim Object Storage Read Write Access Policy"],
  ["kpod", "KKPodFullAccess", "CRUD", "*", "Krutrim KPod Full Access Policy"],
  ["kpod", "KKPodReadOnlyAccess", "R", "*", "Krutrim KPod Read Only Access Policy"],
  ["kpod", "KKPodReadWriteAccess", "CRU", "*", "Krutrim KPod Read Write Access Policy"],
  ["loadbalancer", "KLoadBalancerFullAccess", "CRUD", "*", "Krutrim Load Balancer Full Access Policy"],
  ["loadbalancer", "KLoadBalancerReadOnlyAccess", "R", "*", "Krutrim Load Balancer Read Only Access Policy"],
  ["loadbalancer", "KLoadBalancerReadWriteAccess", "CRU", "*", "Krutrim Load Balancer Read Write Access Policy"],
  ["maas", "KMAASApiKeyManagerAccess", "CRUD", "apikey/*", "Krutrim MAAS API Key Full Access Policy"],
  ["maas", "KMAASApiKeyReadOnlyAccess", "R", "apikey/*", "Krutrim MAAS API Key Read Only Access Policy"],
  ["maas", "KMAASApiKeyReadWriteAccess", "CRU", "apikey/*", "Krutrim MAAS API Key Read Write Access Policy"],
  ["maas", "KMAASFullAccess", "CRUD", "*", "Krutrim MAAS Full Access Policy"],
  ["maas", "KMAASReadOnlyAccess", "R", "*", "Krutrim MAAS Read Only Access Policy"],
  ["maas", "KMAASReadWriteAccess", "CRU", "*", "Krutrim MAAS Read Write Access Policy"],
  ["modelRegistry", "KModelRegistryFullAccess", "CRUD", "*", "Krutrim Model Registry Full Access Policy"],
  ["modelRegistry", "KModelRegistryReadOnlyAccess", "R", "*", "Krutrim Model Registry Read Only Access Policy"],
  ["modelRegistry", "KModelRegistryReadWriteAccess", "CRU", "*", "Krutrim Model Registry Read Write Access Policy"],
  ["securityGroup", "KSecurityGroupFullAccess", "CRUD", "*", "Security Group Full Access Policy"],
  ["securityGroup", "KSecurityGroupReadAccess", "R", "*", "Security Group Read Only Access Policy"],
  ["securityGroup", "KSecurityGroupWriteAccess", "CRU", "*", "Security Group Read and Write only Access Policy"],
  ["sshkeys", "KSSHFullAccess", "CRUD", "*", "Krutrim SSH Full Access Policy"],
  ["sshkeys", "KSSHReadOnlyAccess", "R", "*", "Krutrim SSH Read Only Access Policy"],
  ["sshkeys", "KSSHReadWriteAccess", "CRU", "*", "Krutrim SSH Read Write Access Policy"],
  ["vm", "KVMFullAccess", "CRUD", "*", "Krutrim VM Full Access Policy"],
  ["vm", "KVMReadOnlyAccess", "R", "*", "Krutrim VM Read Only Access Policy"],
  ["vm", "KVMReadWriteAccess", "CRU", "*", "Krutrim VM Read Write Access Policy"],
  ["vpc", "KVPCFullAccess", "CRUD", "*", "Krutrim VPC Full Access Policy"],
  ["vpc", "KVPCReadOnlyAccess", "R", "*", "Krutrim VPC Read Only Access Policy"],
  ["vpc", "KVPCReadWriteAccess", "CRU", "*", "Krutrim VPC Read Write Access Policy"],
];

const LETTERS: Readonly<Record<string, string>> = { C: "Create", R: "Read", U: "Update", D: "Delete" };
const operationsOf = (letters: string) => letters.split("").map((l) => LETTERS[l]!);

describe("system-managed policies", () => {
  test("are exactly the seed's 77, in its order", () => {
    expect(SYSTEM_POLICIES.map((p) => p.name)).toEqual(PINNED.map((row) => row[1]));
    expect(SYSTEM_POLICY_BY_NAME.size).toBe(77);
  });

  test.each(PINNED)("%s %s: %s on %s", (service, name, operations, resources, description) => {
    const policy = SYSTEM_POLICY_BY_NAME.get(name)!;
    expect(policy).toMatchObject({ service, description, operations: operationsOf(operations), resources: [resources] });
    expect(isSystemPolicyName(name)).toBe(true);
  });

  test("the access levels mean what the seed says", () => {
    expect(ACCESS_OPERATIONS).toEqual({ full: ["Create", "Read", "Update", "Delete"], readWrite: ["Create", "Read", "Update"], read: ["Read"] });
    for (const policy of SYSTEM_POLICIES) expect(policy.operations).toEqual(ACCESS_OPERATIONS[policy.access]);
  });

  test("names are case-sensitive: only the documented spelling is a system policy", () => {
    expect(isSystemPolicyName("KIAMRolereadWriteAccess")).toBe(true);
    expect(isSystemPolicyName("KIAMRoleReadWriteAccess")).toBe(false);
    expect(isSystemPolicyName("kvmfullaccess")).toBe(false);
    expect(isSystemPolicyName("KKSReadOnlyAccess")).toBe(false);
  });

  test("every service has at least one; every service a policy names is a known one", () => {
    const services = new Set(SYSTEM_POLICIES.map((p) => p.service));
    expect([...services].sort()).toEqual([...KRUTRIM_SERVICES].sort());
  });

  test("each lowers to one Allow statement of `service:Operation` actions", () => {
    const lowered = lowerSystemPolicy(SYSTEM_POLICY_BY_NAME.get("KIAMRolereadWriteAccess")!);
    expect(lowered.id).toBe("KIAMRolereadWriteAccess");
    expect(lowered.statements).toHaveLength(1);
    const [statement] = lowered.statements;
    expect(statement!.effect).toBe("Allow");
    expect(statement!.actions.patterns.map((p) => p.source)).toEqual(["iam:Create", "iam:Read", "iam:Update"]);
    expect(statement!.resources.patterns.map((p) => p.source)).toEqual(["role/*"]);
    expect(statement!.source).toEqual({ policy: "KIAMRolereadWriteAccess", index: 0 });
  });
});

describe("system-managed policies decide as documented", () => {
  const all = SYSTEM_POLICIES.map((p) => p.name);
  const { workspace, diagnostics } = krutrimWorkspaceFromJson({
    model: "krutrim",
    roles: all.map((name) => ({ id: `role-${name}`, policies: [name] })),
    users: all.map((name) => ({ id: `user/${name}`, roles: [`role-${name}`] })),
  });

  test("a role may attach every one of them; each joins the workspace's policies", () => {
    expect(diagnostics).toEqual([]);
    expect([...workspace!.policies.keys()]).toEqual(all);
  });

  test.each(PINNED)("%s %s grants exactly %s on %s", (service, name, operations, resources) => {
    const resource = resources === "*" ? "anything/at-all" : resources.replace("*", "x-1");
    const decide = (action: string, on = resource) => evaluateKrutrim(workspace!, { principal: `user/${name}`, action, resource: on } satisfies Request);
    for (const letter of "CRUD") {
      const wanted = operations.includes(letter) ? "Allow" : "ImplicitDeny";
      expect(decide(`${service}:${LETTERS[letter]}`), `${service}:${LETTERS[letter]}`).toBe(wanted);
    }
    // another service, or outside the policy's sub-area: nothing
    expect(decide(service === "vm" ? "vpc:Read" : "vm:Read")).toBe("ImplicitDeny");
    if (resources !== "*") expect(decide(`${service}:Read`, "other/x-1")).toBe("ImplicitDeny");
  });
});
