/**
 * Reads one AWS Secrets Manager secret's string. The SDK client is loaded on first use only: the
 * Lambda runtime provides it (it is external to the bundles), and a function that never reads a
 * secret never pays for loading it.
 */
import { requirePackage } from "./require-package.js";

export async function readSecretString(secretId: string): Promise<string | undefined> {
  const { SecretsManagerClient, GetSecretValueCommand } = requirePackage<typeof import("@aws-sdk/client-secrets-manager")>("@aws-sdk/client-secrets-manager");
  const client = new SecretsManagerClient({});
  try {
    return (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
  } finally {
    client.destroy();
  }
}

// What the SDK itself retries as transient once its attempts are spent (@smithy/service-error-classification):
// a network failure on the way to AWS carries neither $fault nor $retryable.
const TRANSIENT_NAMES = new Set(["TimeoutError", "RequestTimeout", "RequestTimeoutException"]);
const NETWORK_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT"]);

/** Whether an AWS SDK error asks to be retried: throttling, a fault on AWS's side, or the network. */
export function isAwsRetryable(error: unknown): boolean {
  const { $fault, $retryable, name, code } = (error ?? {}) as { $fault?: unknown; $retryable?: unknown; name?: unknown; code?: unknown };
  return $fault === "server" || $retryable !== undefined || TRANSIENT_NAMES.has(name as string) || NETWORK_CODES.has(code as string);
}

/**
 * An AWS SDK error's name (e.g. AccessDeniedException), or a network error's code (ECONNREFUSED),
 * which says what went wrong without quoting ARNs.
 */
export function awsErrorName(error: unknown): string {
  const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
  if (name === "Error" && typeof code === "string") return code;
  return typeof name === "string" ? name : "unknown error";
}
