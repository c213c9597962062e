/** Server credentials: plaintext by default, TLS when given a certificate chain and its key. */
import { readFileSync } from "node:fs";
import { ServerCredentials } from "@grpc/grpc-js";

/** PEM text (starting with `-----BEGIN`) or bytes, or else the path of a PEM file. */
export type PemSource = string | Uint8Array;

export interface TlsOptions {
  /** The certificate chain, leaf first. */
  readonly cert: PemSource;
  readonly key: PemSource;
}

export function serverCredentials(tls?: TlsOptions): ServerCredentials {
  if (!tls) return ServerCredentials.createInsecure();
  return ServerCredentials.createSsl(null, [{ cert_chain: readPem(tls.cert), private_key: readPem(tls.key) }], false);
}

export function readPem(source: PemSource): Buffer {
  if (typeof source !== "string") return Buffer.from(source);
  if (source.trimStart().startsWith("-----BEGIN")) return Buffer.from(source);
  return readFileSync(source);
}
