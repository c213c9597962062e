/**
 * An SDK v3 answer shaped as boto3 returns it, for the boto task's `result`: the SDK's `$metadata`
 * becomes boto3's `ResponseMetadata` (RequestId, S3's HostId, HTTPStatusCode, HTTPHeaders, RetryAttempts).
 * boto3 answers datetimes, which flytekit cannot write as MessagePack and pickles instead; here
 * they are their isoformat text. A streamed body is read into bytes, up to MAX_BODY_BYTES.
 */
import { ConnectorError, errorMessage, TaskFailedError, UnavailableError } from "../../connector/errors.js";
import { pythonIsoformat } from "../../connector/python-str.js";
import type { AwsSdkClient } from "./services.js";

/** The most of a streamed body a result holds: the whole answer must fit a Lambda response (6 MB). */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

interface SdkMetadata {
  readonly httpStatusCode?: number;
  readonly requestId?: string;
  readonly attempts?: number;
}

/** Keeps the last answer's HTTP headers (lower-cased names, as botocore gives them). */
export function recordHeaders(client: AwsSdkClient): () => Record<string, string> {
  let headers: Record<string, string> = {};
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = (await next(args)) as { response?: { headers?: Record<string, string> } };
      headers = Object.fromEntries(Object.entries(result.response?.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]));
      return result;
    },
    { step: "deserialize", name: "flyteRecordHeaders" },
  );
  return () => headers;
}

export async function botoResult(output: Record<string, unknown>, headers: Record<string, string>): Promise<Record<string, unknown>> {
  const { $metadata, ...fields } = output;
  const metadata = ($metadata ?? {}) as SdkMetadata;
  const result = (await plain(fields, "result")) as Record<string, unknown>;
  result["ResponseMetadata"] = {
    RequestId: metadata.requestId ?? headers["x-amzn-requestid"] ?? headers["x-amz-request-id"] ?? "",
    // botocore's REST parsers: an id from x-amz-request-id (S3's) comes with its HostId, x-amz-id-2.
    ...(headers["x-amzn-requestid"] === undefined && headers["x-amz-request-id"] !== undefined ? { HostId: headers["x-amz-id-2"] ?? "" } : {}),
    HTTPStatusCode: metadata.httpStatusCode ?? 200,
    HTTPHeaders: headers,
    RetryAttempts: Math.max(0, (metadata.attempts ?? 1) - 1),
  };
  return result;
}

async function plain(value: unknown, where: string): Promise<unknown> {
  if (value instanceof Date) return pythonIsoformat(value);
  if (value instanceof Uint8Array) return value;
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return Promise.all(value.map((item, index) => plain(item, `${where}[${index}]`)));
  const stream = value as { transformToByteArray?: () => Promise<Uint8Array>; [Symbol.asyncIterator]?: unknown };
  if (typeof stream.transformToByteArray === "function") return streamedBytes(value as AsyncIterable<Uint8Array>, where);
  if (stream[Symbol.asyncIterator] !== undefined) {
    throw new TaskFailedError(`The answer's ${where} is an event stream, which a boto task's result cannot hold.`);
  }
  const entries = Object.entries(value).filter(([, item]) => item !== undefined);
  const members = await Promise.all(entries.map(async ([key, item]) => [key, await plain(item, `${where}.${key}`)] as const));
  return Object.fromEntries(members);
}

/**
 * A streamed body (the SDK's Readable of the answer, as for S3's get_object), read up to
 * MAX_BODY_BYTES: a larger one fails the task once past the limit, not after holding all of it.
 * A body cut off (the connection lost, the call's deadline) is UNAVAILABLE.
 */
async function streamedBytes(stream: AsyncIterable<Uint8Array>, where: string): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    // Leaving the loop early destroys the stream, and with it the connection.
    for await (const chunk of stream) {
      size += chunk.byteLength;
      if (size > MAX_BODY_BYTES) throw new TaskFailedError(`The answer's ${where} is over ${MAX_BODY_BYTES} bytes, the most a boto task's result holds.`);
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof ConnectorError) throw error;
    throw new UnavailableError(`The answer's ${where} could not be read: ${errorMessage(error)}`, { cause: error });
  }
  return Buffer.concat(chunks);
}
