// What iamc reads out of AWS names. ARN: arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE.

/** The account field of an ARN (the fifth), when the string is an ARN and the field is not empty. */
export function accountOfArn(arn: string): string | undefined {
  const fields = arn.split(":");
  if (fields.length < 6 || fields[0] !== "arn") return undefined;
  return fields[4] === "" ? undefined : fields[4];
}

/** For an S3 object ARN `arn:aws:s3:::bucket/key`, the bucket's ARN. */
export function bucketOfS3Object(arn: string): string | undefined {
  const match = /^(arn:[^:]*:s3:::[^/]+)\//.exec(arn);
  return match?.[1];
}

/** Whether the ARN names a KMS key, whose key policy must always allow. */
export function isKmsKey(arn: string): boolean {
  return /^arn:[^:]*:kms:[^:]*:[^:]*:key\//.test(arn);
}

/** Whether a principal ARN is an IAM role. */
export function isRoleArn(arn: string): boolean {
  return /^arn:[^:]+:iam::[^:]*:role\//.test(arn);
}

/** The user name of an IAM user ARN (the last path segment), the value of `aws:username`. */
export function userNameOfArn(arn: string): string | undefined {
  const match = /^arn:[^:]+:iam::[^:]*:user\/(?:.*\/)?([^/]+)$/.exec(arn);
  return match?.[1];
}
