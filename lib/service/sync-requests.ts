/**
 * ExecuteTaskSync's request stream, as FlytePropeller sends it: a header, then at most one inputs
 * message. The service reads it so, and so does the client that carries the call over Flyte 2,
 * which has no sync service, before it creates anything.
 */
import { InvalidArgumentError } from "../connector/errors.js";
import type { flyteidl } from "../idl/index.js";

export interface SyncRequest {
  readonly header: flyteidl.admin.ICreateRequestHeader;
  readonly inputs: flyteidl.core.ILiteralMap | null;
}

/** The header and the inputs, or INVALID_ARGUMENT for a stream of another shape. */
export function syncRequest(requests: readonly flyteidl.admin.IExecuteTaskSyncRequest[]): SyncRequest {
  const [first, second, ...rest] = requests;
  if (!first?.header) throw new InvalidArgumentError("ExecuteTaskSync expects a header message first.");
  if (rest.length > 0 || (second && !second.inputs)) {
    throw new InvalidArgumentError(`ExecuteTaskSync expects a header then at most one inputs message, got ${requests.length} messages.`);
  }
  return { header: first.header, inputs: second?.inputs ?? null };
}
