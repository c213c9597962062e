/** Service-account keys as the Cloud console downloads them, for the BigQuery tests and the bench. */
import { generateKeyPairSync, type KeyObject } from "node:crypto";

export interface ServiceAccountKey {
  readonly keyId: string;
  readonly email: string;
  /** The key file's JSON. */
  readonly json: string;
  readonly privateKeyPem: string;
  readonly publicKey: KeyObject;
}

/** A key file with a fresh RSA key; the fake must be told of it (BigQueryFake.addServiceAccount). */
export function serviceAccountKey(keyId: string, email = `flyte-${keyId}@dummy-project.iam.gserviceaccount.com`): ServiceAccountKey {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const json = JSON.stringify({
    type: "service_account",
    project_id: "dummy-project",
    private_key_id: keyId,
    private_key: privateKeyPem,
    client_email: email,
    client_id: "1234567890",
    auth_uri: "https://accounts.google.com/o/oauth2/auth",
    // Never used: the key authenticates with a self-signed JWT, and no test reaches Google.
    token_uri: "https://oauth2.googleapis.com/token",
  });
  return { keyId, email, json, privateKeyPem, publicKey };
}
