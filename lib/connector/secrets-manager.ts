/**
 * Reads one AWS Secrets Manager secret's string. The SDK client is imported on first use only: the
 * Lambda runtime provides it (it is external to the bundles), and a function that never reads a
 * secret never pays for loading it.
 */
export async function readSecretString(secretId: string): Promise<string | undefined> {
  const { SecretsManagerClient, GetSecretValueCommand } = await import("@aws-sdk/client-secrets-manager");
  const client = new SecretsManagerClient({});
  try {
    return (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
  } finally {
    client.destroy();
  }
}

/** Whether an AWS SDK error asks to be retried: throttling, or a fault on AWS's side. */
export function isAwsRetryable(error: unknown): boolean {
  const { $fault, $retryable } = (error ?? {}) as { $fault?: unknown; $retryable?: unknown };
  return $fault === "server" || $retryable !== undefined;
}

/** An AWS SDK error's name (e.g. AccessDeniedException), which says what went wrong without quoting ARNs. */
export function awsErrorName(error: unknown): string {
  const { name } = (error ?? {}) as { name?: unknown };
  return typeof name === "string" ? name : "unknown error";
}
