/**
 * Fakes of the AWS endpoints the AWS connectors call, on loopback, reached through the SDK's
 * per-service endpoint variables (AWS_ENDPOINT_URL_SAGEMAKER, AWS_ENDPOINT_URL_S3):
 *
 * - SageMaker, AWS JSON 1.1 (https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html): every
 *   call is `POST /` with `Content-Type: application/x-amz-json-1.1` and `X-Amz-Target:
 *   SageMaker.<Operation>`; errors are 4xx/5xx with a JSON body `{"__type", "message"}`
 *   (CreateEndpoint, DescribeEndpoint, DeleteEndpoint, CreateModel, CreateEndpointConfig and
 *   ListEndpoints as the SageMaker API Reference documents them).
 * - S3, REST-XML, path-style (https://docs.aws.amazon.com/AmazonS3/latest/API/): HeadObject
 *   (`HEAD /bucket/key`, 404 with no body when absent), ListObjectsV2 (`GET /bucket?list-type=2`,
 *   a ListBucketResult document), GetObject; errors are `<Error><Code/><Message/></Error>`. A
 *   request for a bucket of another region (this one fake serves every region: the region the
 *   request is signed for stands for the regional endpoint it went to) is a 301 PermanentRedirect
 *   naming the bucket's region in `x-amz-bucket-region`, as S3 answers it.
 *
 * Both refuse a request without a SigV4 Authorization header scoped to their service (AWS answers
 * 403 MissingAuthenticationToken / AccessDenied).
 */
import { type KeyObject, verify } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { type FakeRequest, type FakeResponse, PlatformFake } from "../../../lib/testing/platform-fake.js";

export const ACCOUNT = "123456789012";
const AMZ_JSON = "application/x-amz-json-1.1";

/** Why a request is not SigV4-signed for `service`, or undefined when it is. */
function sigV4Problem(headers: IncomingHttpHeaders, service: string): string | undefined {
  const authorization = headers["authorization"];
  if (typeof authorization !== "string") return "Missing Authentication Token";
  const match = /^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/.exec(authorization);
  if (!match) return "Authorization header is not a SigV4 signature";
  if (match[2] !== service) return `Credential should be scoped to correct service: '${service}'.`;
  if (typeof headers["x-amz-date"] !== "string") return "Missing x-amz-date";
  return undefined;
}

export interface FakeEndpoint {
  readonly name: string;
  readonly arn: string;
  readonly region: string;
  /** The statuses DescribeEndpoint answers, one per call; the last one stays. */
  statuses: string[];
  failureReason?: string;
  readonly created: Date;
}

export class SageMakerFake extends PlatformFake {
  readonly endpoints = new Map<string, FakeEndpoint>();
  readonly models = new Map<string, string>();
  readonly endpointConfigs = new Map<string, string>();
  /** The statuses a new endpoint goes through. */
  statusesOnCreate: string[] = ["Creating", "Creating", "InService"];

  constructor() {
    super();
    this.route("POST", "/", (request) => this.#dispatch(request));
  }

  /** The operations called, in order (from X-Amz-Target). */
  get operations(): string[] {
    return this.calls.map((call) => String(call.headers["x-amz-target"] ?? "").replace(/^SageMaker\./, ""));
  }

  protected override authenticate(request: FakeRequest): FakeResponse | undefined {
    const problem = sigV4Problem(request.headers, "sagemaker");
    if (problem) return awsJsonError(403, problem === "Missing Authentication Token" ? "MissingAuthenticationTokenException" : "InvalidSignatureException", problem);
    if (request.headers["content-type"] !== AMZ_JSON) return awsJsonError(400, "SerializationException", `Unexpected content type ${request.headers["content-type"]}`);
    if (request.json === undefined || typeof request.json !== "object") return awsJsonError(400, "SerializationException", "Body is not a JSON object");
    return undefined;
  }

  /** Throttling is a 400 ThrottlingException on SageMaker; AWS's faults are InternalFailure/ServiceUnavailable. */
  protected override error(status: number, message: string): FakeResponse {
    if (status === 429) return awsJsonError(400, "ThrottlingException", "Rate exceeded");
    if (status === 503) return awsJsonError(503, "ServiceUnavailable", message);
    if (status >= 500) return awsJsonError(status, "InternalFailure", message);
    return awsJsonError(status, status === 404 ? "UnknownOperationException" : "ValidationException", message);
  }

  #dispatch(request: FakeRequest): FakeResponse {
    const target = String(request.headers["x-amz-target"] ?? "");
    const body = request.json as Record<string, unknown>;
    const region = /\/\d{8}\/([a-z0-9-]+)\//.exec(String(request.headers["authorization"]))?.[1] ?? "us-east-1";
    switch (target) {
      case "SageMaker.CreateEndpoint":
        return this.#createEndpoint(body, region);
      case "SageMaker.DescribeEndpoint":
        return this.#describeEndpoint(body);
      case "SageMaker.DeleteEndpoint":
        return this.#deleteEndpoint(body);
      case "SageMaker.CreateModel":
        return this.#create(this.models, "model", "ModelName", "ModelArn", body, region);
      case "SageMaker.CreateEndpointConfig":
        return this.#create(this.endpointConfigs, "endpoint-config", "EndpointConfigName", "EndpointConfigArn", body, region);
      case "SageMaker.ListEndpoints":
        return ok({
          Endpoints: [...this.endpoints.values()].map((endpoint) => ({
            EndpointName: endpoint.name,
            EndpointArn: endpoint.arn,
            CreationTime: endpoint.created.getTime() / 1000,
            LastModifiedTime: endpoint.created.getTime() / 1000,
            EndpointStatus: endpoint.statuses[0],
          })),
        });
      default:
        return awsJsonError(400, "UnknownOperationException", `Unknown operation ${target}`);
    }
  }

  #createEndpoint(body: Record<string, unknown>, region: string): FakeResponse {
    const invalid = required(body, ["EndpointName", "EndpointConfigName"]) ?? nameProblem(body["EndpointName"], "endpointName");
    if (invalid) return invalid;
    const name = body["EndpointName"] as string;
    const existing = this.endpoints.get(name);
    // SageMaker's wording, ARN in quotes (as flytekit's tests quote it).
    if (existing) return awsJsonError(400, "ValidationException", `Cannot create already existing endpoint "${existing.arn}".`);
    const arn = `arn:${partition(region)}:sagemaker:${region}:${ACCOUNT}:endpoint/${name.toLowerCase()}`;
    this.endpoints.set(name, { name, arn, region, statuses: [...this.statusesOnCreate], created: new Date(Date.UTC(2024, 0, 31, 16, 44, 6, 553)) });
    return ok({ EndpointArn: arn });
  }

  #describeEndpoint(body: Record<string, unknown>): FakeResponse {
    const invalid = required(body, ["EndpointName"]);
    if (invalid) return invalid;
    const endpoint = this.endpoints.get(body["EndpointName"] as string);
    if (!endpoint) return awsJsonError(400, "ValidationException", `Could not find endpoint "${String(body["EndpointName"])}".`);
    const status = endpoint.statuses.length > 1 ? endpoint.statuses.shift()! : endpoint.statuses[0]!;
    return ok({
      EndpointName: endpoint.name,
      EndpointArn: endpoint.arn,
      EndpointConfigName: `${endpoint.name}-config`,
      EndpointStatus: status,
      ...(endpoint.failureReason && status !== "InService" ? { FailureReason: endpoint.failureReason } : {}),
      CreationTime: endpoint.created.getTime() / 1000,
      LastModifiedTime: endpoint.created.getTime() / 1000,
    });
  }

  #deleteEndpoint(body: Record<string, unknown>): FakeResponse {
    const invalid = required(body, ["EndpointName"]);
    if (invalid) return invalid;
    const name = body["EndpointName"] as string;
    if (!this.endpoints.delete(name)) return awsJsonError(400, "ValidationException", `Could not find endpoint "${name}".`);
    return ok({});
  }

  #create(store: Map<string, string>, kind: string, nameKey: string, arnKey: string, body: Record<string, unknown>, region: string): FakeResponse {
    const invalid = required(body, [nameKey]) ?? nameProblem(body[nameKey], nameKey.charAt(0).toLowerCase() + nameKey.slice(1));
    if (invalid) return invalid;
    const name = body[nameKey] as string;
    const existing = store.get(name);
    if (existing) return awsJsonError(400, "ValidationException", `Cannot create already existing ${kind.replace("-", " ")} "${existing}".`);
    const arn = `arn:${partition(region)}:sagemaker:${region}:${ACCOUNT}:${kind}/${name.toLowerCase()}`;
    store.set(name, arn);
    return ok({ [arnKey]: arn });
  }
}

/** The ARN partition of a region: China's and GovCloud's have their own. */
function partition(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  return region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
}

function ok(json: unknown): FakeResponse {
  return { status: 200, json, contentType: AMZ_JSON, headers: { "content-type": AMZ_JSON, "x-amzn-requestid": "11111111-2222-3333-4444-555555555555" } };
}

/** An AWS JSON 1.1 error answer. */
export function awsJsonError(status: number, type: string, message: string): FakeResponse {
  return { status, json: { __type: type, message }, headers: { "content-type": AMZ_JSON, "x-amzn-requestid": "eeeeeeee-2222-3333-4444-555555555555" } };
}

function required(body: Record<string, unknown>, keys: readonly string[]): FakeResponse | undefined {
  const missing = keys.filter((key) => typeof body[key] !== "string" || body[key] === "");
  if (missing.length === 0) return undefined;
  const detail = missing.map((key) => `Value null at '${key.charAt(0).toLowerCase()}${key.slice(1)}' failed to satisfy constraint: Member must not be null`);
  return awsJsonError(400, "ValidationException", `${missing.length} validation error${missing.length > 1 ? "s" : ""} detected: ${detail.join("; ")}`);
}

/** SageMaker's name rule: at most 63 characters, ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}. */
function nameProblem(value: unknown, member: string): FakeResponse | undefined {
  if (typeof value === "string" && /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/.test(value)) return undefined;
  return awsJsonError(400, "ValidationException", `1 validation error detected: Value '${String(value)}' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}`);
}

/** The request ids S3 answers every request with, in headers and error bodies alike. */
const S3_IDS = { "x-amz-request-id": "S3REQ", "x-amz-id-2": "host" };

/** S3, path-style: /bucket/key. */
export class S3Fake extends PlatformFake {
  /** bucket -> key -> body. */
  readonly buckets = new Map<string, Map<string, string>>();
  /** bucket -> its region, when not us-east-1. */
  readonly regions = new Map<string, string>();

  constructor() {
    super();
    this.route("HEAD", /^\/(?<bucket>[^/]+)\/(?<key>.+)$/, (request) => this.#headObject(request));
    this.route("GET", /^\/(?<bucket>[^/]+)\/(?<key>.+)$/, (request) => this.#getObject(request));
    this.route("GET", /^\/(?<bucket>[^/]+)\/?$/, (request) => this.#list(request));
  }

  put(bucket: string, key: string, body = "data"): this {
    if (!this.buckets.has(bucket)) this.buckets.set(bucket, new Map());
    this.buckets.get(bucket)!.set(key, body);
    return this;
  }

  protected override authenticate(request: FakeRequest): FakeResponse | undefined {
    const problem = sigV4Problem(request.headers, "s3");
    if (problem) return s3Error(403, "AccessDenied", problem);
    if (typeof request.headers["x-amz-content-sha256"] !== "string") return s3Error(400, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256");
    return undefined;
  }

  protected override error(status: number, message: string): FakeResponse {
    if (status === 429 || status === 503) return s3Error(503, "SlowDown", "Please reduce your request rate.");
    // S3 times an idle upload out with a 400 (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html): a fault's 408 stands for it.
    if (status === 408) return s3Error(400, "RequestTimeout", "Your socket connection to the server was not read from or written to within the timeout period.");
    if (status >= 500) return s3Error(status, "InternalError", message);
    return s3Error(status, "InvalidRequest", message);
  }

  /** S3's answer to a request that reached the wrong region for its bucket; undefined when the region is right. */
  #redirect(request: FakeRequest): FakeResponse | undefined {
    const name = decodeURIComponent(request.params["bucket"]!);
    // A bucket that does not exist has no region: any region answers NoSuchBucket.
    if (!this.buckets.has(name)) return undefined;
    const region = this.regions.get(name) ?? "us-east-1";
    if (/\/\d{8}\/([a-z0-9-]+)\//.exec(String(request.headers["authorization"]))?.[1] === region) return undefined;
    const headers = { ...S3_IDS, "x-amz-bucket-region": region };
    // HEAD answers carry no body.
    if (request.method === "HEAD") return { status: 301, text: "", headers };
    return { ...s3Error(301, "PermanentRedirect", "The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint."), headers };
  }

  #headObject(request: FakeRequest): FakeResponse {
    const redirect = this.#redirect(request);
    if (redirect) return redirect;
    const bucket = this.buckets.get(decodeURIComponent(request.params["bucket"]!));
    const body = bucket?.get(decodeURIComponent(request.params["key"]!));
    // HeadObject answers no body: a missing object is a bare 404.
    if (body === undefined) return { status: 404, text: "", headers: S3_IDS };
    return { status: 200, text: "", headers: { ...S3_IDS, "content-length": String(Buffer.byteLength(body)), etag: '"e"', "last-modified": "Wed, 31 Jan 2024 16:44:06 GMT" } };
  }

  #getObject(request: FakeRequest): FakeResponse {
    const redirect = this.#redirect(request);
    if (redirect) return redirect;
    const bucket = this.buckets.get(decodeURIComponent(request.params["bucket"]!));
    if (!bucket) return s3Error(404, "NoSuchBucket", "The specified bucket does not exist");
    const body = bucket.get(decodeURIComponent(request.params["key"]!));
    if (body === undefined) return s3Error(404, "NoSuchKey", "The specified key does not exist.");
    return { status: 200, text: body, contentType: "application/octet-stream", headers: { ...S3_IDS, etag: '"e"', "last-modified": "Wed, 31 Jan 2024 16:44:06 GMT" } };
  }

  #list(request: FakeRequest): FakeResponse {
    const redirect = this.#redirect(request);
    if (redirect) return redirect;
    const name = decodeURIComponent(request.params["bucket"]!);
    const bucket = this.buckets.get(name);
    if (!bucket) return s3Error(404, "NoSuchBucket", "The specified bucket does not exist");
    if (request.query.get("list-type") !== "2") return s3Error(400, "InvalidArgument", "ListObjects v1 is not served by this fake");
    const prefix = request.query.get("prefix") ?? "";
    const maxKeys = Number(request.query.get("max-keys") ?? "1000");
    const keys = [...bucket.keys()].filter((key) => key.startsWith(prefix)).sort().slice(0, maxKeys);
    const contents = keys.map((key) => `<Contents><Key>${xml(key)}</Key><LastModified>2024-01-31T16:44:06.000Z</LastModified><ETag>"e"</ETag><Size>${Buffer.byteLength(bucket.get(key)!)}</Size><StorageClass>STANDARD</StorageClass></Contents>`);
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xml(name)}</Name><Prefix>${xml(prefix)}</Prefix><KeyCount>${keys.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>false</IsTruncated>${contents.join("")}</ListBucketResult>`;
    return { status: 200, text: body, contentType: "application/xml", headers: S3_IDS };
  }
}

export function s3Error(status: number, code: string, message: string): FakeResponse {
  return {
    status,
    text: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xml(message)}</Message><RequestId>S3REQ</RequestId><HostId>host</HostId></Error>`,
    contentType: "application/xml",
  };
}

function xml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/**
 * Files over plain HTTP(S), for the sensor's http paths; `/no-head/...` answers HEAD with 405, and
 * `/signed/...` with 403, as a URL presigned for GET does (S3 signs the method: a HEAD of it is
 * SignatureDoesNotMatch).
 */
export class HttpFilesFake extends PlatformFake {
  readonly files = new Set<string>();
  readonly redirects = new Map<string, string>();

  constructor() {
    super();
    const serve = (request: FakeRequest): FakeResponse => {
      if (request.method === "HEAD" && request.path.startsWith("/no-head/")) return { status: 405, text: "" };
      if (request.method === "HEAD" && request.path.startsWith("/signed/")) return { status: 403, text: "" };
      // `/moved/<path>` redirects to `/<path>`; `redirects` maps a path to any other Location.
      const location = this.redirects.get(request.path) ?? (request.path.startsWith("/moved/") ? request.path.slice("/moved".length) : undefined);
      if (location !== undefined) return { status: 302, text: "", headers: { location } };
      return this.files.has(request.path) ? { status: 200, text: request.method === "HEAD" ? "" : "content" } : { status: 404, text: "not found" };
    };
    this.route("HEAD", /^\/.*$/, serve);
    this.route("GET", /^\/.*$/, serve);
  }
}

/**
 * Cloud Storage's JSON API (https://cloud.google.com/storage/docs/json_api/v1): objects.get
 * (`GET /storage/v1/b/{bucket}/o/{object}`, the object name URL-encoded) and objects.list
 * (`GET /storage/v1/b/{bucket}/o?prefix=&maxResults=`), errors `{"error": {"code", "message"}}`.
 * A request must carry a service account's self-signed JWT (RS256, its `kid`) whose scope covers
 * reading storage.
 */
export class GcsFake extends PlatformFake {
  readonly buckets = new Map<string, Set<string>>();
  readonly #keys = new Map<string, KeyObject>();

  constructor() {
    super();
    this.route("GET", /^\/storage\/v1\/b\/(?<bucket>[^/]+)\/o\/(?<object>[^/]+)$/, (request) => {
      const bucket = decodeURIComponent(request.params["bucket"]!);
      const name = decodeURIComponent(request.params["object"]!);
      if (!this.buckets.get(bucket)?.has(name)) return this.error(404, `No such object: ${bucket}/${name}`);
      return { json: { kind: "storage#object", name, bucket, size: "4" } };
    });
    this.route("GET", /^\/storage\/v1\/b\/(?<bucket>[^/]+)\/o$/, (request) => {
      const bucket = decodeURIComponent(request.params["bucket"]!);
      const names = this.buckets.get(bucket);
      if (!names) return this.error(404, "The specified bucket does not exist.");
      const prefix = request.query.get("prefix") ?? "";
      const items = [...names].filter((name) => name.startsWith(prefix)).sort().slice(0, Number(request.query.get("maxResults") ?? "1000"));
      return { json: { kind: "storage#objects", ...(items.length > 0 ? { items: items.map((name) => ({ name })) } : {}) } };
    });
  }

  put(bucket: string, name: string): this {
    if (!this.buckets.has(bucket)) this.buckets.set(bucket, new Set());
    this.buckets.get(bucket)!.add(name);
    return this;
  }

  addServiceAccount(keyId: string, publicKey: KeyObject): void {
    this.#keys.set(keyId, publicKey);
  }

  protected override authenticate(request: FakeRequest): FakeResponse | undefined {
    const token = /^Bearer (.+)$/.exec(String(request.headers["authorization"] ?? ""))?.[1];
    const parts = token?.split(".") ?? [];
    if (parts.length !== 3) return this.error(401, "Anonymous caller does not have storage.objects.get access.");
    const [header, payload] = parts.slice(0, 2).map((part) => JSON.parse(Buffer.from(part, "base64url").toString()) as Record<string, unknown>);
    const key = this.#keys.get(String(header!["kid"]));
    const signed = key !== undefined && verify("RSA-SHA256", Buffer.from(`${parts[0]}.${parts[1]}`), key, Buffer.from(parts[2]!, "base64url"));
    if (!signed) return this.error(401, "Invalid Credentials");
    if (!String(payload!["scope"] ?? "").split(" ").includes("https://www.googleapis.com/auth/devstorage.read_only")) {
      return this.error(403, "Request had insufficient authentication scopes.");
    }
    return undefined;
  }

  protected override error(status: number, message: string): FakeResponse {
    return { status, json: { error: { code: status, message, errors: [{ message, domain: "global", reason: status === 404 ? "notFound" : "invalid" }] } } };
  }
}
