/**
 * flytekit's ResourceMeta: the small state an async connector's `create` hands back and
 * `get`/`delete` receive. Authors declare the fields once with `defineResourceMeta` and get a
 * typed class whose `encode()` writes exactly the bytes flytekit's dataclass does
 * (`json.dumps(asdict(self)).encode("utf-8")`, docs/CONTRACT.md §5), so a meta written by the Python
 * service is read here and the other way round. Field names are the wire (Python) names.
 */
import {
  type JsonValue,
  PythonFloat,
  formatPythonFloat,
  parsePythonJson,
  quotePythonString,
  toPythonJson,
} from "./python-json.js";

export interface ResourceMetaInstance {
  encode(): Uint8Array;
}

export interface ResourceMetaClass<M extends ResourceMetaInstance> {
  readonly name: string;
  decode(data: Uint8Array): M;
}

/** A meta that cannot be built or decoded; the message names the meta class and the fields. */
export class ResourceMetaError extends Error {
  override readonly name = "ResourceMetaError";
}

/** A value read from the wire; `writtenAsInt` marks a float field Python wrote as an int. */
export interface WireValue {
  readonly value: unknown;
  readonly writtenAsInt?: boolean;
}

/** How one kind of field is checked, read and written (null is the Field's business). */
export interface FieldKind {
  /** What a value must be, for messages: "a string". */
  readonly expected: string;
  /** Why an author's value does not fit, or undefined when it does. */
  problem(value: unknown): string | undefined;
  /** The field's value for a parsed JSON value, or undefined when it is of another kind. */
  read(value: JsonValue): WireValue | undefined;
  write(value: unknown, writtenAsInt: boolean): string;
}

/** An error's message as part of one of ours, which ends it: python-json's end with a period of their own. */
function clause(message: string): string {
  return message.replace(/\.$/, "");
}

/** What a value is, for messages; never the value itself (metas may hold identifiers). */
function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (value instanceof PythonFloat) return "a float";
  switch (typeof value) {
    case "string":
      return "a string";
    case "boolean":
      return "a boolean";
    case "bigint":
      return "an integer";
    case "number":
      return Number.isInteger(value) ? "an integer" : "a float";
    case "object":
      return "an object";
    default:
      return typeof value;
  }
}

const stringKind: FieldKind = {
  expected: "a string",
  problem: (value) => (typeof value === "string" ? undefined : `must be a string, got ${describe(value)}`),
  read: (value) => (typeof value === "string" ? { value } : undefined),
  write: (value) => quotePythonString(value as string),
};

const integerKind: FieldKind = {
  expected: "an integer",
  problem(value) {
    if (typeof value === "bigint" || Number.isSafeInteger(value)) return undefined;
    if (typeof value === "number" && Number.isInteger(value)) {
      return "must be an integer, got a number beyond ±(2^53 - 1): pass a bigint";
    }
    return `must be an integer (number or bigint), got ${describe(value)}`;
  },
  // The parser gives ints as safe integers or bigints; integral floats come as PythonFloat.
  read: (value) => (typeof value === "bigint" || Number.isInteger(value) ? { value } : undefined),
  write: (value) => String(value as number | bigint),
};

const floatKind: FieldKind = {
  expected: "a float",
  problem: (value) => (typeof value === "number" ? undefined : `must be a number, got ${describe(value)}`),
  read(value) {
    if (value instanceof PythonFloat) return { value: value.value };
    // Python lets an int into a float field and writes it back as an int; remember that.
    if (typeof value === "bigint") return { value: Number(value), writtenAsInt: true };
    if (typeof value === "number") return { value, writtenAsInt: Number.isInteger(value) };
    return undefined;
  },
  write: (value, writtenAsInt) =>
    writtenAsInt && Number.isInteger(value) ? BigInt(value as number).toString() : formatPythonFloat(value as number),
};

const booleanKind: FieldKind = {
  expected: "a boolean",
  problem: (value) => (typeof value === "boolean" ? undefined : `must be a boolean, got ${describe(value)}`),
  read: (value) => (typeof value === "boolean" ? { value } : undefined),
  write: (value) => (value ? "true" : "false"),
};

const jsonKind: FieldKind = {
  expected: "a JSON value",
  problem(value) {
    try {
      toPythonJson(value as JsonValue);
      return undefined;
    } catch (error) {
      return `must be a JSON value: ${clause((error as Error).message)}`;
    }
  },
  read: (value) => ({ value }),
  write: (value) => toPythonJson(value as JsonValue),
};

/**
 * One declared field: its kind, whether null is allowed, and its default. `T` is the value type,
 * `HasDefault` whether the field may be left out of the constructor and the wire.
 */
export class Field<T, HasDefault extends boolean = boolean> {
  /** Type-only: the value type, for inference. */
  declare readonly valueType: T;

  private constructor(
    readonly kind: FieldKind,
    readonly nullable: boolean,
    readonly hasDefault: HasDefault,
    /** Produces the default value; json defaults are copied so instances never share them. */
    readonly makeDefault: (() => T) | undefined,
  ) {}

  static of<T>(kind: FieldKind): Field<T, false> {
    return new Field<T, false>(kind, false, false, undefined);
  }

  /** Allows null, and defaults to null (Python's `Optional[X] = None`) unless a default is set. */
  optional(): Field<T | null, true> {
    const makeDefault: () => T | null = this.makeDefault ?? (() => null);
    return new Field<T | null, true>(this.kind, true, true, makeDefault);
  }

  /** The value used when the constructor or the wire leaves the field out. */
  default(value: T): Field<T, true> {
    const problem = this.problem(value);
    if (problem !== undefined) throw new ResourceMetaError(`Default value ${problem}.`);
    const text = this.kind === jsonKind ? toPythonJson(value as JsonValue) : undefined;
    const makeDefault = text === undefined ? () => value : () => parsePythonJson(text) as T;
    return new Field<T, true>(this.kind, this.nullable, true, makeDefault);
  }

  /** Why an author's value does not fit the field, or undefined when it does. */
  problem(value: unknown): string | undefined {
    return value === null && this.nullable ? undefined : this.kind.problem(value);
  }

  /** The field's value for a parsed JSON value, or why it does not fit. */
  read(value: JsonValue): WireValue | string {
    if (value === null && this.nullable) return { value };
    return this.kind.read(value) ?? `must be ${this.kind.expected}, got ${describe(value)}`;
  }

  write(value: unknown, writtenAsInt: boolean): string {
    return value === null && this.nullable ? "null" : this.kind.write(value, writtenAsInt);
  }
}

/** The field builders: `field.string()`, `field.integer().optional()`, `field.float().default(1)`. */
export const field = {
  string: (): Field<string, false> => Field.of(stringKind),
  /** A Python int: a safe-integer number, or a bigint (decoded ints beyond ±2^53−1 are bigints). */
  integer: (): Field<number | bigint, false> => Field.of(integerKind),
  /** A Python float: written with Python's float repr (`1.0`, `1e+16`, `NaN`). */
  float: (): Field<number, false> => Field.of(floatKind),
  boolean: (): Field<boolean, false> => Field.of(booleanKind),
  /** Any JSON value: nested dicts and lists, key order kept (see JsonValue for numbers). */
  json: (): Field<JsonValue, false> => Field.of(jsonKind),
} as const;

export type FieldMap = Readonly<Record<string, Field<unknown>>>;

type FieldValue<F> = F extends Field<infer T> ? T : never;
type RequiredKey<F extends FieldMap> = { [K in keyof F]: F[K] extends Field<unknown, false> ? K : never }[keyof F];
type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** What the constructor takes: every field, those with a default optional. */
export type ResourceMetaInit<F extends FieldMap> = Simplify<
  { [K in RequiredKey<F>]: FieldValue<F[K]> } & { [K in Exclude<keyof F, RequiredKey<F>>]?: FieldValue<F[K]> }
>;

/** An instance: the fields, read-only, and `encode()`. */
export type ResourceMeta<F extends FieldMap> = { readonly [K in keyof F]: FieldValue<F[K]> } & ResourceMetaInstance;

type ConstructorArgs<Init> = {} extends Init ? [init?: Init] : [init: Init];

/** The class `defineResourceMeta` returns; it may be extended (keep the constructor's signature). */
export interface ResourceMetaType<F extends FieldMap> {
  /** The init object may be left out when every field has a default. */
  new (...init: ConstructorArgs<ResourceMetaInit<F>>): ResourceMeta<F>;
  readonly prototype: ResourceMeta<F>;
  readonly name: string;
  readonly fields: F;
  /** flytekit's `decode`: UTF-8 JSON object bytes to an instance of this class (or subclass). */
  decode<C extends abstract new (...args: never) => ResourceMetaInstance>(this: C, data: Uint8Array): InstanceType<C>;
}

/** Names an instance already uses, or that would break it as an object. */
const reservedNames = new Set(["encode", "constructor", "__proto__", "toString", "valueOf", "toJSON"]);

/** Float fields of decoded instances that Python wrote as ints, to write them back the same way. */
const floatsWrittenAsInt = new WeakMap<object, ReadonlySet<string>>();

const utf8Decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

function quotedList(names: readonly string[]): string {
  return names.map((name) => `"${name}"`).join(", ");
}

/**
 * Declares a ResourceMeta class. Field order is the wire order, as in the Python dataclass.
 *
 * ```ts
 * const BigQueryMetadata = defineResourceMeta("BigQueryMetadata", {
 *   job_id: field.string(),
 *   output_path: field.string().optional(),
 * });
 * type BigQueryMetadata = InstanceType<typeof BigQueryMetadata>;
 * ```
 */
export function defineResourceMeta<const F extends FieldMap>(name: string, fields: F): ResourceMetaType<F> {
  const entries = Object.entries(fields);
  for (const [fieldName] of entries) {
    // Python attribute names, which are also the JSON keys of the dataclass.
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(fieldName) || reservedNames.has(fieldName)) {
      throw new ResourceMetaError(`${name}: "${fieldName}" cannot be a field name.`);
    }
  }
  const known = new Set(entries.map(([fieldName]) => fieldName));

  /**
   * The field values in `values`, defaults filled in. `accept` gives the value a field takes for
   * what it was given, or why it does not fit; every misfit is named in one error.
   */
  function collect(
    className: string,
    values: Readonly<Record<string, unknown>>,
    accept: (declared: Field<unknown>, value: unknown) => WireValue | string,
  ): Map<string, WireValue> {
    const unknownNames = Object.keys(values).filter((key) => !known.has(key));
    if (unknownNames.length > 0) {
      throw new ResourceMetaError(`${className}: unknown field(s) ${quotedList(unknownNames)}.`);
    }
    // Own properties only: a field may share its name with an Object.prototype member.
    const given = (fieldName: string): unknown => (Object.hasOwn(values, fieldName) ? values[fieldName] : undefined);
    const missing = entries
      .filter(([fieldName, declared]) => !declared.hasDefault && given(fieldName) === undefined)
      .map(([fieldName]) => fieldName);
    if (missing.length > 0) {
      throw new ResourceMetaError(`${className}: missing required field(s) ${quotedList(missing)}.`);
    }
    const collected = new Map<string, WireValue>();
    const problems: string[] = [];
    for (const [fieldName, declared] of entries) {
      const value = given(fieldName);
      const accepted = value === undefined ? { value: declared.makeDefault?.() } : accept(declared, value);
      if (typeof accepted === "string") problems.push(`field "${fieldName}" ${accepted}`);
      else collected.set(fieldName, accepted);
    }
    if (problems.length > 0) throw new ResourceMetaError(`${className}: ${problems.join("; ")}.`);
    return collected;
  }

  const meta = class {
    static readonly fields = fields;

    constructor(init: Readonly<Record<string, unknown>> = {}) {
      const values = collect(new.target.name, init, (declared, value) => declared.problem(value) ?? { value });
      for (const [fieldName, { value }] of values) {
        Object.defineProperty(this, fieldName, { value, enumerable: true, writable: false, configurable: false });
      }
    }

    encode(): Uint8Array {
      const record = this as unknown as Readonly<Record<string, unknown>>;
      const asInt = floatsWrittenAsInt.get(this);
      const members = entries.map(([fieldName, declared]) => {
        const written = declared.write(record[fieldName], asInt?.has(fieldName) ?? false);
        return `${quotePythonString(fieldName)}: ${written}`;
      });
      return utf8Encoder.encode(`{${members.join(", ")}}`);
    }

    static decode(this: new (init: Readonly<Record<string, unknown>>) => object, data: Uint8Array): object {
      const className = this.name;
      let text: string;
      try {
        text = utf8Decoder.decode(data);
      } catch {
        throw new ResourceMetaError(`${className}: cannot decode, the bytes are not UTF-8.`);
      }
      let parsed: JsonValue;
      try {
        parsed = parsePythonJson(text);
      } catch (error) {
        throw new ResourceMetaError(`${className}: cannot decode, not JSON: ${clause((error as Error).message)}.`);
      }
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed) || parsed instanceof PythonFloat) {
        throw new ResourceMetaError(`${className}: cannot decode, expected a JSON object, got ${describe(parsed)}.`);
      }
      const values = collect(className, parsed as Readonly<Record<string, JsonValue>>, (declared, value) =>
        declared.read(value as JsonValue),
      );
      const instance = new this(Object.fromEntries([...values].map(([fieldName, { value }]) => [fieldName, value])));
      const asInt = [...values].filter(([, read]) => read.writtenAsInt).map(([fieldName]) => fieldName);
      if (asInt.length > 0) floatsWrittenAsInt.set(instance, new Set(asInt));
      return instance;
    }
  };
  Object.defineProperty(meta, "name", { value: name });
  return meta as unknown as ResourceMetaType<F>;
}
