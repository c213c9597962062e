/**
 * Whether a path exists, as flytekit's FileSensor.poke asks its fsspec filesystem
 * (flytekit/sensor/file_sensor.py): `s3://bucket/key` an object or a prefix holding one (s3fs),
 * `gs://bucket/name` likewise through the Cloud Storage JSON API (gcsfs), `http(s)://` a URL that
 * answers below 400 (fsspec's HTTPFileSystem). A path is either there or not yet: only a refused
 * permission, a bad path, or a platform that stays down is an error.
 */
import type { CallContext } from "../../connector/connector.js";
import { InvalidArgumentError } from "../../connector/errors.js";
import { ForbiddenAddressError, forbiddenAddressGuard, forbiddenHost } from "../../connector/forbidden-host.js";
import { exchange } from "../../connector/http-exchange.js";
import { networkCause } from "../../connector/network-cause.js";
import { PlatformClient } from "../../connector/platform-client.js";
import { requirePackage } from "../../connector/require-package.js";
import { attemptTimeout } from "../../connector/retry-timing.js";
import { AwsApiError } from "./errors.js";
import { createClient, send } from "./sdk.js";
import type { ClientClass } from "./services.js";

export interface PathCheck {
  readonly exists: boolean;
  /** Why it does not (yet), when something more than "not there" is known. */
  readonly note?: string;
}

type Context = Pick<CallContext, "signal" | "deadline" | "connection">;

export async function pathExists(path: string, context: Context): Promise<PathCheck> {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(path)?.[1]?.toLowerCase();
  switch (scheme) {
    case "s3":
    case "s3a":
      // s3fs strips the trailing slashes first (fsspec's _strip_protocol, path.rstrip("/")):
      // s3://bucket/key/ is the object `key` or the prefix `key/`.
      return { exists: await s3Exists(withoutTrailingSlashes(bucketAndKey(path)), context) };
    case "gs":
    case "gcs":
      return { exists: await gcsExists(bucketAndKey(path), context) };
    case "http":
    case "https":
      return httpExists(path, context);
    case undefined:
    case "file":
      throw new InvalidArgumentError(`FileSensor path ${JSON.stringify(path)} is local to the connector, which runs in AWS Lambda: use an s3://, gs:// or http(s):// path.`);
    default:
      throw new InvalidArgumentError(`FileSensor path ${JSON.stringify(path)}: ${scheme}:// paths are not supported here; use s3://, gs:// or http(s)://.`);
  }
}

interface Location {
  readonly bucket: string;
  /** "" for the bucket itself. */
  readonly key: string;
}

function bucketAndKey(path: string): Location {
  const rest = path.slice(path.indexOf("://") + 3);
  const slash = rest.indexOf("/");
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  if (bucket === "") throw new InvalidArgumentError(`FileSensor path ${JSON.stringify(path)} names no bucket.`);
  return { bucket, key: slash < 0 ? "" : rest.slice(slash + 1) };
}

function withoutTrailingSlashes({ bucket, key }: Location): Location {
  return { bucket, key: key.replace(/\/+$/, "") };
}

/** The prefix under which a "directory" `key` holds objects. */
function directoryPrefix(key: string): string {
  return key === "" || key.endsWith("/") ? key : `${key}/`;
}

const S3 = "S3";

async function s3Exists({ bucket, key }: Location, context: Context): Promise<boolean> {
  const s3 = requirePackage<typeof import("@aws-sdk/client-s3")>("@aws-sdk/client-s3");
  // The function's region; a bucket elsewhere is followed by the SDK (S3 names the region in its 301).
  const region = process.env["AWS_REGION"] ?? process.env["AWS_DEFAULT_REGION"] ?? "us-east-1";
  const client = createClient(s3.S3Client as unknown as ClientClass, region, { followRegionRedirects: true });
  try {
    if (key !== "" && !key.endsWith("/")) {
      try {
        await send(client, new s3.HeadObjectCommand({ Bucket: bucket, Key: key }), context, { service: S3, action: "read the object's metadata" });
        return true;
      } catch (error) {
        if (!(error instanceof AwsApiError && error.httpStatus === 404)) throw error;
      }
    }
    try {
      const listed = await send<{ KeyCount?: number }>(
        client,
        new s3.ListObjectsV2Command({ Bucket: bucket, Prefix: directoryPrefix(key) || undefined, MaxKeys: 1 }),
        context,
        { service: S3, action: "list the bucket" },
      );
      return (listed.KeyCount ?? 0) > 0 || key === "";
    } catch (error) {
      if (error instanceof AwsApiError && error.awsCode === "NoSuchBucket") return false;
      throw error;
    }
  } finally {
    client.destroy();
  }
}

/**
 * The Cloud Storage JSON API's base URL: STORAGE_EMULATOR_HOST, the variable Google's own storage
 * clients read to reach an emulator, else Google's.
 */
function gcsBaseUrl(): string {
  return process.env["STORAGE_EMULATOR_HOST"] || "https://storage.googleapis.com";
}

const GCS_SCOPES = ["https://www.googleapis.com/auth/devstorage.read_only"];

async function gcsExists({ bucket, key }: Location, context: Context): Promise<boolean> {
  // Loaded only for gs:// paths: google-auth-library stays out of the sensor's common path.
  const { googleAuthHeaders } = await import("../google/credentials.js");
  const baseUrl = gcsBaseUrl();
  const client = new PlatformClient({ platform: "Google Cloud Storage", baseUrl, auth: () => googleAuthHeaders(GCS_SCOPES, context, baseUrl) });
  const bucketPath = `/storage/v1/b/${encodeURIComponent(bucket)}`;
  if (key !== "" && !key.endsWith("/")) {
    const object = await client.request({ path: `${bucketPath}/o/${encodeURIComponent(key)}`, query: { fields: "name" }, accept: [404], action: "read the object's metadata" }, context);
    if (object.status !== 404) return true;
  }
  const listed = await client.request<{ items?: unknown[]; prefixes?: unknown[] }>(
    { path: `${bucketPath}/o`, query: { prefix: directoryPrefix(key) || undefined, maxResults: 1, fields: "items/name,prefixes" }, accept: [404], action: "list the bucket" },
    context,
  );
  if (listed.status === 404) return false;
  return key === "" || (listed.body?.items?.length ?? 0) > 0 || (listed.body?.prefixes?.length ?? 0) > 0;
}

const HTTP_TIMEOUT_MS = 10_000;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** aiohttp's default, which fsspec's HTTP file system uses. */
const MAX_REDIRECTS = 10;

/** fsspec's HTTPFileSystem._exists (a GET): an answer below 400 is a file; no answer is not one (yet). */
async function httpExists(url: string, context: Context): Promise<PathCheck> {
  if (!URL.canParse(url)) throw new InvalidArgumentError(`FileSensor path ${JSON.stringify(url)} is not a valid URL.`);
  if (forbiddenHost(new URL(url))) throw new InvalidArgumentError(`FileSensor path ${JSON.stringify(url)} names a host the connector may not call.`);
  const timeout = AbortSignal.timeout(attemptTimeout(HTTP_TIMEOUT_MS, context.deadline));
  const signal = AbortSignal.any([context.signal, timeout]);
  try {
    // Redirects are followed here, each hop checked as the first was (aiohttp follows up to 10).
    for (let target = new URL(url), hop = 0; ; hop += 1) {
      const lookup = forbiddenAddressGuard(target);
      let response = await exchange({ method: "HEAD", url: target, signal, lookup });
      // fsspec asks with GET, which a server may answer otherwise: one without HEAD (405, 501), a
      // URL presigned for GET (HEAD breaks its signature: 403). So GET decides any refusal.
      // A GET's status and headers: its body, however large, is left unread (the connection closed).
      if (response.status >= 400) response = await exchange({ method: "GET", url: target, signal, readBody: false, lookup });
      const location = response.headers.get("location");
      if (REDIRECTS.has(response.status) && location !== null) {
        if (hop === MAX_REDIRECTS) return { exists: false, note: `it redirects more than ${MAX_REDIRECTS} times` };
        target = new URL(location, target);
        if (forbiddenHost(target)) throw new InvalidArgumentError(`FileSensor path ${JSON.stringify(url)} redirects to a host the connector may not call.`);
        continue;
      }
      return response.status < 400 ? { exists: true } : { exists: false, note: `it answers HTTP ${response.status}` };
    }
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw error;
    if (error instanceof ForbiddenAddressError) {
      throw new InvalidArgumentError(`FileSensor path ${JSON.stringify(url)} leads to a host the connector may not call (${error.message}).`);
    }
    if (context.signal.aborted) throw context.signal.reason ?? error;
    const why = timeout.aborted ? "no answer in time" : networkCause(error);
    return { exists: false, note: `it cannot be reached (${why})` };
  }
}
