// Krutrim's system-managed policies, as data: every policy of the seed's "List of Default
// Policies" under its exact documented name, spelling quirks included (`KIAMRolereadWriteAccess`,
// `KKSReadAccess`, `KSecurityGroupWriteAccess`). A workspace attaches them by name and cannot
// redefine them.
//
// Access levels, as the seed defines them: FullAccess (and `...ManagerAccess`, `...FullAdmin...`)
// = Create, Read, Update, Delete; ReadOnly / Read = Read; ReadWrite / Write = Create, Read, Update
// (read and modify, no delete).
//
// Scope. A Krutrim rule has a service, operations and resources, nothing finer; the seed splits
// IAM and two other services into sub-areas with policies of their own. iamc scopes those by
// resource name, so that a sub-area policy grants exactly its sub-area and nothing more:
//   iam   Users `user/*`, Groups `group/*`, Roles `role/*`, Policies `policy/*`,
//         associations between them `mapping/*` (the `...AllResources` policies: `*`)
//   kos   access keys `accesskey/*` (`KObjectStorageAccessKeyFullAccess`; the others: `*`)
//   maas  API keys `apikey/*` (`KMAASApiKey...`; `KMAAS...Access` covers MaaS and its keys: `*`)
// Users are named `user/<name>` in manifests already, so an IAM request on `user/ravi` is about
// that user. Where the seed's own area column is doubtful (it gives the Mapping read policies the
// area "Groups", and every KOS policy all four KOS areas), the name decides, and the narrower
// reading wins: a compiler that guesses should guess toward less access.
import type { KrutrimOperation, KrutrimService } from "../schema/krutrim.js";

/** How much of a service a system policy grants. */
export type SystemAccess = "full" | "readWrite" | "read";

/** One system-managed policy. */
export interface SystemPolicy {
  /** The documented name, exactly: the id roles attach it by. */
  readonly name: string;
  /** The documented description. */
  readonly description: string;
  readonly service: KrutrimService;
  readonly access: SystemAccess;
  /** What the access level means. */
  readonly operations: readonly KrutrimOperation[];
  /** Resource patterns the policy is scoped to (`*` unless it covers a sub-area). */
  readonly resources: readonly string[];
  /** The areas the seed lists for it ("Users", "KOS Access Keys", ...). */
  readonly covers: readonly string[];
}

/** The operations of each access level. */
export const ACCESS_OPERATIONS: Readonly<Record<SystemAccess, readonly KrutrimOperation[]>> = {
  full: ["Create", "Read", "Update", "Delete"],
  readWrite: ["Create", "Read", "Update"],
  read: ["Read"],
};

/** The resource patterns of the sub-areas iamc scopes (see the file comment). */
export const SUB_AREA_RESOURCES = {
  users: "user/*",
  groups: "group/*",
  roles: "role/*",
  policies: "policy/*",
  mappings: "mapping/*",
  accessKeys: "accesskey/*",
  apiKeys: "apikey/*",
} as const;

const define = (
  name: string,
  description: string,
  service: KrutrimService,
  access: SystemAccess,
  covers: readonly string[],
  resources: readonly string[] = ["*"],
): SystemPolicy => ({ name, description, service, access, operations: ACCESS_OPERATIONS[access], resources, covers });

/** The usual trio of a service: `K<Stem>FullAccess`, `K<Stem>ReadOnlyAccess`, `K<Stem>ReadWriteAccess`. */
const trio = (stem: string, title: string, service: KrutrimService, covers: readonly string[]): SystemPolicy[] => [
  define(`K${stem}FullAccess`, `Krutrim ${title} Full Access Policy`, service, "full", covers),
  define(`K${stem}ReadOnlyAccess`, `Krutrim ${title} Read Only Access Policy`, service, "read", covers),
  define(`K${stem}ReadWriteAccess`, `Krutrim ${title} Read Write Access Policy`, service, "readWrite", covers),
];

const IAM_ALL = ["Users", "Groups", "Roles", "Policies", "Association Between Users/Groups/Roles/Policies"];
const KOS = ["KOS Access Keys", "KOS Buckets", "KOS Objects", "KOS Regions"];
const LB = ["Load Balancers", "Target Groups", "Listeners", "Health Monitors", "Rules", "Members"];
const R = SUB_AREA_RESOURCES;

/** Every system-managed policy, in the seed's order (by service, then as listed). */
export const SYSTEM_POLICIES: readonly SystemPolicy[] = [
  ...trio("ASG", "ASG", "asg", ["Auto-Scaling Groups"]),
  define("KBillingFullAccess", "Krutrim Billing Full Access Policy", "billing", "full", ["Billing"]),
  ...trio("DBaaS", "DBaaS", "dbaas", ["DBaaS"]),
  ...trio("DNS", "DNS", "dns", ["DNS", "Zones", "Records"]),
  ...trio("Evaluation", "Evaluation", "evaluation", ["Evaluation"]),
  ...trio("FineTuning", "Fine Tuning", "finetuning", ["Fine-Tuning"]),

  define("KIAMFullAdminAccessAllResources", "Krutrim Centralized IAM Full Access Policy across all IAM resources", "iam", "full", IAM_ALL),
  define("KIAMReadOnlyAccessAllResources", "Krutrim Centralized IAM Read Only Access Policy across all IAM resources", "iam", "read", IAM_ALL),
  define("KIAMReadWriteOnlyAccessAllResources", "Krutrim Centralized IAM Read Write Access Policy across all IAM resources", "iam", "readWrite", IAM_ALL),
  define("KIAMGroupManagerAccess", "Krutrim Centralized IAM Group Management Access Policy", "iam", "full", ["Groups"], [R.groups]),
  define("KIAMGroupReadOnlyAccess", "Krutrim Centralized IAM Group Read Only Access Policy", "iam", "read", ["Groups"], [R.groups]),
  define("KIAMGroupReadWriteAccess", "Krutrim Centralized IAM Group read Write Access Policy", "iam", "readWrite", ["Groups"], [R.groups]),
  define("KIAMMappingManagerAccess", "Krutrim Centralized IAM User/Group/Role/Policies Association Full Access Policy", "iam", "full", ["Association Between Users/Groups/Roles/Policies"], [R.mappings]),
  define("KIAMMappingReadOnlyAccess", "Krutrim Centralized IAM User/Group/Role/Policies Association Read Only Access Policy", "iam", "read", ["Groups"], [R.mappings]),
  define("KIAMMappingReadWriteAccess", "Krutrim Centralized IAM User/Group/Role/Policies Association Read Write Access Policy", "iam", "readWrite", ["Groups"], [R.mappings]),
  define("KIAMPolicyManagerAccess", "Krutrim Centralized IAM Policy Management Access Policy", "iam", "full", ["Policies"], [R.policies]),
  define("KIAMPolicyReadOnlyAccess", "Krutrim Centralized IAM Policy Read Only Access Policy", "iam", "read", ["Policies"], [R.policies]),
  define("KIAMPolicyReadWriteAccess", "Krutrim Centralized IAM Policy Read Write Access Policy", "iam", "readWrite", ["Policies"], [R.policies]),
  define("KIAMRoleManagerAccess", "Krutrim Centralized IAM Role Management Access Policy", "iam", "full", ["Roles"], [R.roles]),
  define("KIAMRoleReadOnlyAccess", "Krutrim Centralized IAM Role Read Only Access Policy", "iam", "read", ["Roles"], [R.roles]),
  define("KIAMRolereadWriteAccess", "Krutrim Centralized IAM Role Read write Access Policy", "iam", "readWrite", ["Roles"], [R.roles]),
  define("KIAMUserManagerAccess", "Krutrim Centralized IAM User Management Full Access Policy", "iam", "full", ["Users"], [R.users]),
  define("KIAMUserReadOnlyAccess", "Krutrim Centralized IAM User Read Only Access Policy", "iam", "read", ["Users"], [R.users]),
  define("KIAMUserReadWriteAccess", "Krutrim Centralized IAM User Read Write Access Policy", "iam", "readWrite", ["Users"], [R.users]),

  ...trio("Inference", "Inference", "inference", ["Inference"]),
  ...trio("BlockStorage", "Block Storage", "kbs", ["Block Storage"]),
  ...trio("CertManager", "Certificate Manager", "kcm", ["Certificates"]),

  define("KKSFullAccess", "Kubernetes Full Access Policy", "kks", "full", ["Kubernetes Cluster"]),
  define("KKSReadAccess", "Kubernetes Read Only Access Policy", "kks", "read", ["Kubernetes Cluster"]),
  define("KKSWriteAccess", "Kubernetes Read and Write only Access Policy", "kks", "readWrite", ["Kubernetes Cluster"]),

  define("KObjectStorageAccessKeyFullAccess", "Krutrim Access Key Full Access Policy", "kos", "full", KOS, [R.accessKeys]),
  ...trio("ObjectStorage", "Object Storage", "kos", KOS),
  ...trio("KPod", "KPod", "kpod", ["Kpods (AI Pods)"]),
  ...trio("LoadBalancer", "Load Balancer", "loadbalancer", LB),

  define("KMAASApiKeyManagerAccess", "Krutrim MAAS API Key Full Access Policy", "maas", "full", ["MaaS API Keys"], [R.apiKeys]),
  define("KMAASApiKeyReadOnlyAccess", "Krutrim MAAS API Key Read Only Access Policy", "maas", "read", ["MaaS API Keys"], [R.apiKeys]),
  define("KMAASApiKeyReadWriteAccess", "Krutrim MAAS API Key Read Write Access Policy", "maas", "readWrite", ["MaaS API Keys"], [R.apiKeys]),
  ...trio("MAAS", "MAAS", "maas", ["MaaS", "MaaS API Keys"]),

  ...trio("ModelRegistry", "Model Registry", "modelRegistry", ["Model Registry"]),

  define("KSecurityGroupFullAccess", "Security Group Full Access Policy", "securityGroup", "full", ["Security Groups"]),
  define("KSecurityGroupReadAccess", "Security Group Read Only Access Policy", "securityGroup", "read", ["Security Groups"]),
  define("KSecurityGroupWriteAccess", "Security Group Read and Write only Access Policy", "securityGroup", "readWrite", ["Security Groups"]),

  define("KSSHFullAccess", "Krutrim SSH Full Access Policy", "sshkeys", "full", ["SSH Keys"]),
  define("KSSHReadOnlyAccess", "Krutrim SSH Read Only Access Policy", "sshkeys", "read", ["SSH Keys"]),
  define("KSSHReadWriteAccess", "Krutrim SSH Read Write Access Policy", "sshkeys", "readWrite", ["SSH Keys"]),

  ...trio("VM", "VM", "vm", ["Virtual Machines"]),
  ...trio("VPC", "VPC", "vpc", ["VPC", "Subnets", "Security Groups", "Static IPs"]),
];

/** The system-managed policies by name (exact spelling). */
export const SYSTEM_POLICY_BY_NAME: ReadonlyMap<string, SystemPolicy> = new Map(SYSTEM_POLICIES.map((p) => [p.name, p]));

/** Whether `name` is a system-managed policy's name (exact spelling). */
export const isSystemPolicyName = (name: string): boolean => SYSTEM_POLICY_BY_NAME.has(name);

/** A system policy as the Krutrim document it stands for: one Allow rule. */
export function systemPolicyDocument(policy: SystemPolicy): {
  readonly name: string;
  readonly description: string;
  readonly rules: readonly [{ readonly service: KrutrimService; readonly operations: readonly KrutrimOperation[]; readonly effect: "Allow"; readonly resources: readonly string[] }];
} {
  return {
    name: policy.name,
    description: policy.description,
    rules: [{ service: policy.service, operations: policy.operations, effect: "Allow", resources: policy.resources }],
  };
}
