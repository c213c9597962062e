/**
 * Snowflake key-pair authentication: the RS256 JWT the SQL API takes as a bearer token with
 * `X-Snowflake-Authorization-Token-Type: KEYPAIR_JWT`
 * (https://docs.snowflake.com/en/developer-guide/sql-api/authenticating#using-key-pair-authentication):
 * iss `ACCOUNT.USER.SHA256:<fingerprint>`, sub `ACCOUNT.USER`, iat, and exp at most one hour on,
 * where ACCOUNT is the account identifier up to its first `.` and both are upper-cased, and the
 * fingerprint is the base64 SHA-256 of the public key's DER (SubjectPublicKeyInfo).
 */
import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign } from "node:crypto";
import { FailedPreconditionError } from "../../connector/errors.js";

export const PRIVATE_KEY_SECRET = "snowflake_private_key";
export const PASSPHRASE_SECRET = "snowflake_private_key_passphrase";

/** Tokens live 59 minutes: within Snowflake's hour whatever the clocks' small skew. */
const TOKEN_LIFETIME_S = 59 * 60;
/** A cached token is renewed when less than this is left of it. */
const RENEW_BEFORE_S = 5 * 60;

export interface KeyPair {
  readonly privateKey: KeyObject;
  /** `SHA256:<base64 of the SHA-256 of the public key's DER>`, as `DESC USER` shows RSA_PUBLIC_KEY_FP. */
  readonly fingerprint: string;
}

/**
 * The RSA private key of the secret, as both plugins accept it (cryptography's
 * load_pem_private_key of the stripped text: PKCS#8 or PKCS#1 PEM, encrypted ones opened with the
 * passphrase), and also a PEM whose line breaks were stored as `\n`, or the base64 DER body
 * without its armour lines. Every failure names the secrets, never their values.
 */
export function loadKeyPair(secret: string, passphrase: string | undefined): KeyPair {
  const privateKey = parsePrivateKey(secret.trim(), passphrase);
  if (privateKey.asymmetricKeyType !== "rsa") {
    throw new FailedPreconditionError(
      `Secret ${PRIVATE_KEY_SECRET} holds a ${privateKey.asymmetricKeyType ?? "non-RSA"} key: Snowflake key-pair authentication takes an RSA key.`,
    );
  }
  const der = createPublicKey(privateKey).export({ type: "spki", format: "der" });
  return { privateKey, fingerprint: `SHA256:${createHash("sha256").update(der).digest("base64")}` };
}

function parsePrivateKey(text: string, passphrase: string | undefined): KeyObject {
  const attempts: Parameters<typeof createPrivateKey>[0][] = [];
  if (text.includes("-----BEGIN")) {
    const pem = text.includes("\n") ? text : text.replace(/\\n/g, "\n");
    attempts.push({ key: pem, format: "pem", passphrase });
  } else if (/^[A-Za-z0-9+/=\s]+$/.test(text)) {
    const der = Buffer.from(text.replace(/\s+/g, ""), "base64");
    attempts.push({ key: der, format: "der", type: "pkcs8", passphrase }, { key: der, format: "der", type: "pkcs1" });
  }
  let lastError: unknown;
  for (const attempt of attempts) {
    try {
      return createPrivateKey(attempt);
    } catch (error) {
      lastError = error;
    }
  }
  throw keyError(lastError, /ENCRYPTED/.test(text), passphrase !== undefined);
}

/**
 * What went wrong. Node's (OpenSSL's) messages do not say it (a wrong passphrase reads
 * "unsupported"), so the PEM's own ENCRYPTED marker and the error code decide; the key is never quoted.
 */
function keyError(error: unknown, encrypted: boolean, hadPassphrase: boolean): FailedPreconditionError {
  const code = (error as { code?: unknown } | undefined)?.code;
  const asksPassphrase = code === "ERR_MISSING_PASSPHRASE" || code === "ERR_OSSL_CRYPTO_INTERRUPTED_OR_CANCELLED";
  if (!hadPassphrase && (encrypted || asksPassphrase)) {
    return new FailedPreconditionError(`Secret ${PRIVATE_KEY_SECRET} is an encrypted key: set the secret ${PASSPHRASE_SECRET} too.`);
  }
  if (hadPassphrase && encrypted) {
    return new FailedPreconditionError(`Secret ${PRIVATE_KEY_SECRET} cannot be opened with the passphrase in ${PASSPHRASE_SECRET}.`);
  }
  return new FailedPreconditionError(
    `Secret ${PRIVATE_KEY_SECRET} is not a usable private key: give the PEM text (-----BEGIN PRIVATE KEY----- or -----BEGIN ENCRYPTED PRIVATE KEY-----).`,
  );
}

/** ACCOUNT.USER as the claims name them. */
export function qualifiedUser(account: string, user: string): string {
  return `${claimsAccount(account).toUpperCase()}.${user.toUpperCase()}`;
}

/**
 * The account as the Python driver names it (util_text.parse_account): up to its first `.` (a
 * region or cloud after it), and of a `<account>-<external id>.global` one, the account alone.
 */
function claimsAccount(account: string): string {
  const [first, second] = account.split(".") as [string, string | undefined];
  const externalId = first.lastIndexOf("-");
  return second === "global" && externalId > 0 ? first.slice(0, externalId) : first;
}

const base64url = (value: string | Buffer) => Buffer.from(value).toString("base64url");

/** A fresh JWT for `account`/`user`, issued at `now` (epoch seconds). */
export function keyPairJwt(keys: KeyPair, account: string, user: string, now: number): string {
  const subject = qualifiedUser(account, user);
  const header = base64url(JSON.stringify({ alg: "RS256", typ: "JWT" }));
  const claims = base64url(JSON.stringify({ iss: `${subject}.${keys.fingerprint}`, sub: subject, iat: now, exp: now + TOKEN_LIFETIME_S }));
  const signature = sign("sha256", Buffer.from(`${header}.${claims}`), keys.privateKey);
  return `${header}.${claims}.${base64url(signature)}`;
}

interface CachedToken {
  readonly token: string;
  readonly expires: number;
}

const tokens = new Map<string, CachedToken>();

/**
 * A JWT for `account`/`user`, reused while it has a while left (a warm function signs once an
 * hour per user and key, not per call).
 */
export function cachedJwt(keys: KeyPair, account: string, user: string): string {
  const now = Math.floor(Date.now() / 1000);
  const key = `${qualifiedUser(account, user)}.${keys.fingerprint}`;
  const cached = tokens.get(key);
  if (cached && cached.expires - now > RENEW_BEFORE_S) return cached.token;
  const token = keyPairJwt(keys, account, user, now);
  tokens.set(key, { token, expires: now + TOKEN_LIFETIME_S });
  return token;
}

let lastKeys: { readonly id: string; readonly keys: KeyPair } | undefined;

/** loadKeyPair, remembered for the last secret seen: opening an encrypted key costs a key derivation. */
export function keyPairOf(secret: string, passphrase: string | undefined): KeyPair {
  const id = createHash("sha256").update(secret).update("\0").update(passphrase ?? "").digest("hex");
  if (lastKeys?.id === id) return lastKeys.keys;
  const keys = loadKeyPair(secret, passphrase);
  lastKeys = { id, keys };
  return keys;
}
