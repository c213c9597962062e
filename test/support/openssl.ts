/** Throwaway TLS certificates for the tests that serve TLS, made with the openssl command when the machine has it. */
import { execFileSync } from "node:child_process";

export function hasOpenssl(): boolean {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** A new P-256 key at `keyPath` and its self-signed certificate for localhost and 127.0.0.1 at `certPath`, valid a day. */
export function selfSignedCertificate(keyPath: string, certPath: string): void {
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", keyPath, "-out", certPath,
      "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
    { stdio: "ignore" },
  );
}
