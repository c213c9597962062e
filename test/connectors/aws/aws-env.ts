/**
 * The environment every AWS connector test runs in: static credentials for the SDK's default
 * chain (as the function's role would give them), no shared config files or instance metadata,
 * the fakes behind the per-service endpoint variables, and a global AWS_ENDPOINT_URL pointing
 * nowhere, which the connectors must ignore.
 */
import { vi } from "vitest";

export const SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

export function stubAwsEnv(endpoints: Readonly<Record<string, string>>): void {
  vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE");
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY);
  vi.stubEnv("AWS_SESSION_TOKEN", "");
  vi.stubEnv("AWS_REGION", "us-east-1");
  vi.stubEnv("AWS_PROFILE", "");
  vi.stubEnv("AWS_CONFIG_FILE", "/nonexistent/aws-config");
  vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials");
  vi.stubEnv("AWS_EC2_METADATA_DISABLED", "true");
  // Port 9 (discard) on loopback: a client that followed it would fail to connect.
  vi.stubEnv("AWS_ENDPOINT_URL", "http://127.0.0.1:9");
  for (const [name, url] of Object.entries(endpoints)) vi.stubEnv(name, url);
}
