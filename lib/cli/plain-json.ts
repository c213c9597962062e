/** Plain values (lib/literals) as JSON text for people and scripts. */
import { toJson } from "../idl/json-mapping.js";
import { Duration, FlyteDirectory, FlyteFile, StructuredDataset } from "../literals/index.js";

/**
 * JSON with the values JSON has no type for written as: bigint as a number when exact, else a
 * string; Date as RFC 3339 (its own toJSON); Duration as `"1.5s"` (proto3 JSON); bytes as base64;
 * files, directories and datasets as `{uri, format}`.
 */
export function plainToJson(value: unknown): string {
  return JSON.stringify(value, replacer, 2);
}

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Duration) return toJson("google.protobuf.Duration", { seconds: value.seconds, nanos: value.nanos });
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (value instanceof FlyteFile || value instanceof FlyteDirectory || value instanceof StructuredDataset) {
    return { uri: value.uri, format: value.format };
  }
  return value;
}
