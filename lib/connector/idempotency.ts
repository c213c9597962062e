/**
 * Idempotent create within an attempt: a client token derived from the task execution id,
 * including its retry attempt, so that the same attempt's CreateTask reaching the service again (a
 * client or front retry, FlytePropeller re-running it after a restart before it saved the meta)
 * finds the job it started instead of starting another, while a new attempt starts a new job.
 *
 * Without task execution metadata (a local run by hand) there is no id to derive from: no token,
 * and each create starts a new job.
 */
import { createHash } from "node:crypto";
import type { flyteidl } from "../idl/index.js";

/**
 * The task execution id with its retry attempt, `org/project/domain/execution/node/task/attempt`,
 * or undefined when the request carries no execution id.
 */
export function executionKey(metadata: flyteidl.admin.ITaskExecutionMetadata | null | undefined): string | undefined {
  const id = metadata?.taskExecutionId;
  const execution = id?.nodeExecutionId?.executionId;
  if (!id || !execution?.name) return undefined;
  const parts = [
    execution.org ?? "",
    execution.project ?? "",
    execution.domain ?? "",
    execution.name,
    id.nodeExecutionId?.nodeId ?? "",
    id.taskId?.name ?? "",
    String(id.retryAttempt ?? 0),
  ];
  return parts.join("/");
}

export interface TokenShape {
  /** The platform's longest token. */
  readonly maxLength: number;
  /** Characters the platform allows; others become `-` (default letters, digits, `_` and `-`). */
  readonly allowed?: RegExp;
  /** Leads every token, so an operator can tell ours apart (default "flyte"). */
  readonly prefix?: string;
}

const HASH_CHARS = 32;

/**
 * `key` shaped to a platform's token rules: the prefix and as much of the readable key as fits,
 * then a hash of the whole key, so that two keys never share a token however they are cut.
 */
export function clientToken(key: string, shape: TokenShape): string {
  const allowed = shape.allowed ?? /[A-Za-z0-9_-]/;
  const prefix = shape.prefix ?? "flyte";
  const hash = createHash("sha256").update(key).digest("hex").slice(0, HASH_CHARS);
  const fixed = prefix.length + hash.length + 2;
  const room = shape.maxLength - fixed;
  if (room < 0) {
    throw new RangeError(
      `a maxLength of ${shape.maxLength} is too short: a token holds the prefix "${prefix}", two "-" and a ${HASH_CHARS}-character hash, so maxLength must be at least ${fixed}`,
    );
  }
  const readable = [...key].map((char) => (allowed.test(char) ? char : "-")).join("").slice(0, room);
  return readable === "" ? `${prefix}-${hash}`.slice(0, shape.maxLength) : `${prefix}-${readable}-${hash}`;
}

/** This project's namespace for name-based UUIDs (RFC 9562 §5.5). */
export const FLYTE_UUID_NAMESPACE = "6f1d3c6e-5b2a-5e4c-9a8f-0c7d2b1e4a30";

/** The RFC 9562 version 5 UUID of `name` in `namespace` (SHA-1 based, deterministic). */
export function uuidV5(name: string, namespace: string = FLYTE_UUID_NAMESPACE): string {
  const namespaceBytes = Buffer.from(namespace.replace(/-/g, ""), "hex");
  if (namespaceBytes.length !== 16) throw new RangeError(`not a UUID: ${namespace}`);
  const bytes = createHash("sha1").update(namespaceBytes).update(name, "utf8").digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
