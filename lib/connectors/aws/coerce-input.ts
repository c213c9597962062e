/**
 * A boto task's parameters in the types the SDK v3 command takes, as botocore converts them:
 * boto3 takes an ISO 8601 string or epoch seconds for a timestamp and a str for a blob, where the
 * SDK wants a Date and bytes. Read from the command's own input schema (schema-based clients,
 * @smithy/core/schema); a client without schemas gets the parameters as they are.
 */

interface Schema {
  isTimestampSchema(): boolean;
  isBlobSchema(): boolean;
  isListSchema(): boolean;
  isMapSchema(): boolean;
  isStructSchema(): boolean;
  getValueSchema(): Schema;
  getMemberSchemas(): Record<string, Schema>;
}

interface SchemaModule {
  readonly NormalizedSchema: { of(schema: unknown): Schema };
}

/** The command's parameters converted by its input schema; unchanged when it has none. */
export async function coerceInput(command: object, input: unknown): Promise<unknown> {
  const operation = (command as { schema?: unknown }).schema;
  // A static operation schema: [9, namespace, name, traits, input, output].
  if (!Array.isArray(operation) || operation[0] !== 9) return input;
  // The schema reader that came with the clients (the runtime's), not a bundled copy: the
  // specifier is not a literal, so bundlers leave it to the runtime.
  const specifier = ["@smithy", "core", "schema"].join("/");
  let module: SchemaModule;
  try {
    module = (await import(specifier)) as SchemaModule;
  } catch {
    return input;
  }
  return coerce(input, module.NormalizedSchema.of(operation[4]));
}

function coerce(value: unknown, schema: Schema): unknown {
  if (schema.isTimestampSchema()) {
    const date = typeof value === "string" ? new Date(value) : typeof value === "number" ? new Date(value * 1000) : undefined;
    return date !== undefined && !Number.isNaN(date.getTime()) ? date : value;
  }
  if (schema.isBlobSchema()) return typeof value === "string" ? new TextEncoder().encode(value) : value;
  if (value === null || typeof value !== "object") return value;
  if (schema.isListSchema() && Array.isArray(value)) return value.map((item) => coerce(item, schema.getValueSchema()));
  if (schema.isMapSchema()) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, coerce(item, schema.getValueSchema())]));
  if (schema.isStructSchema()) {
    const members = schema.getMemberSchemas();
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, Object.hasOwn(members, key) ? coerce(item, members[key]!) : item]));
  }
  return value;
}
