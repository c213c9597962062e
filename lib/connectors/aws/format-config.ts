/**
 * What flytekit's Boto3ConnectorMixin._call does before it calls AWS
 * (plugins/flytekit-aws-sagemaker/flytekitplugins/awssagemaker_inference/boto3_mixin.py, flytekit
 * v1.16.24): the region (input `region`, then the task's), Triton image URIs for that region, the
 * config's `{inputs.x}`/`{images.x}` placeholders (flytekit/utils/dict_formatter.py format_dict),
 * and the idempotence token, an xxh64 of the filled config, when the config mentions one.
 *
 * The webhook's placeholder filler does not fit here: format_dict replaces placeholders one after
 * the other in the partly filled string (every copy at once), matches any `{...}` holding a dot,
 * splices Python's `str()` of dicts and lists, truncates SageMaker tokens against the partly
 * filled string, and runs twice; the token is a hash of that exact text, so this follows it step
 * by step.
 */
import xxhash from "xxhash-wasm";
import { InvalidArgumentError } from "../../connector/errors.js";
import { type JsonValue, PythonFloat } from "../../connector/python-json.js";
import type { flyteidl } from "../../idl/index.js";
import { isPyDict, literalMapStringRepr, type PyDict, pyRepr, pyStr, type PyValue } from "./input-strings.js";

export interface BotoCallSpec {
  /** botocore's service name, e.g. `sagemaker`: SageMaker tokens are cut to its 63-character names. */
  readonly service: string;
  readonly config: JsonValue;
  readonly images?: JsonValue;
  readonly inputs?: flyteidl.core.ILiteralMap | null;
  /** The task's region (custom `region`), used when no input `region` is given. */
  readonly region?: JsonValue;
}

export interface PreparedCall {
  readonly region: string;
  /** The filled config: the API call's parameters (bytes where a binary input filled a whole value). */
  readonly params: PyValue;
  /** The xxh64 hex digest, or "" when the config mentions no idempotence token. */
  readonly idempotenceToken: string;
}

/** SageMaker's names are at most 63 characters (dict_formatter.replace_placeholder). */
const SAGEMAKER_NAME_CHARS = 63;
const TOKEN_PLACEHOLDERS = new Set(["inputs.idempotence_token", "idempotence_token"]);

/**
 * The region, parameters and idempotence token of the call, as _call makes them. Throws
 * InvalidArgumentError for what the task got wrong (no region, an unknown placeholder).
 */
export async function prepareCall(spec: BotoCallSpec): Promise<PreparedCall> {
  const args: Record<string, PyValue> = {};
  let inputRegion: PyValue = null;
  if (spec.inputs) {
    const inputs = literalMapStringRepr(spec.inputs);
    args["inputs"] = inputs;
    inputRegion = Object.hasOwn(inputs, "region") ? inputs["region"]! : null;
  }
  const region = [inputRegion, spec.region].find(truthy) ?? null;
  if (region === null) {
    throw new InvalidArgumentError("Region parameter is required: give the task an input `region` or set `region` in its config.");
  }
  if (typeof region !== "string") throw new InvalidArgumentError(`The region must be a string, got ${pyRepr(region)}.`);
  if (isPyDict(spec.images) && Object.keys(spec.images).length > 0) args["images"] = tritonImages(spec.images, region);

  let params = formatDict(spec.service, spec.config, args);
  let idempotenceToken = "";
  if (mentions(params, "idempotence_token")) {
    idempotenceToken = await xxh64Hex(sortedDictStr(params));
    params = formatDict(spec.service, params, args, idempotenceToken);
  }
  return { region, params, idempotenceToken };
}

/** Python truthiness of the values a region can be. */
function truthy(value: PyValue | undefined): value is PyValue {
  if (value === null || value === undefined) return false;
  if (value instanceof PythonFloat) return value.value !== 0;
  if (Array.isArray(value) || value instanceof Uint8Array) return value.length > 0;
  if (typeof value === "object") return Object.keys(value).length > 0;
  return Boolean(value);
}


/** boto3_mixin.account_id_map: the accounts of SageMaker's Triton images, by region. */
const TRITON_ACCOUNTS: Readonly<Record<string, string>> = {
  "us-east-1": "785573368785",
  "us-east-2": "007439368137",
  "us-west-1": "710691900526",
  "us-west-2": "301217895009",
  "eu-west-1": "802834080501",
  "eu-west-2": "205493899709",
  "eu-west-3": "254080097072",
  "eu-north-1": "601324751636",
  "eu-south-1": "966458181534",
  "eu-central-1": "746233611703",
  "ap-east-1": "110948597952",
  "ap-south-1": "763008648453",
  "ap-northeast-1": "941853720454",
  "ap-northeast-2": "151534178276",
  "ap-southeast-1": "324986816169",
  "ap-southeast-2": "355873309152",
  "cn-northwest-1": "474822919863",
  "cn-north-1": "472730292857",
  "sa-east-1": "756306329178",
  "ca-central-1": "464438896020",
  "me-south-1": "836785723513",
  "af-south-1": "774647643957",
};

/**
 * Each Triton image (a string naming `sagemaker-tritonserver`, as triton_image_uri writes it)
 * formatted with str.format(account_id=, region=, base=); other images as they are.
 */
function tritonImages(images: { readonly [key: string]: JsonValue }, region: string): PyDict {
  const base = region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  const fields: Readonly<Record<string, string | undefined>> = { account_id: TRITON_ACCOUNTS[region], region, base };
  return Object.fromEntries(
    Object.entries(images).map(([name, image]) => {
      if (typeof image !== "string" || !image.includes("sagemaker-tritonserver")) return [name, image];
      return [name, strFormat(image, (field) => {
        const value = Object.hasOwn(fields, field) ? fields[field] : undefined;
        if (value !== undefined) return value;
        if (field === "account_id") throw new InvalidArgumentError(`Image ${JSON.stringify(name)}: SageMaker's Triton images have no account for region ${JSON.stringify(region)}.`);
        throw new InvalidArgumentError(`Image ${JSON.stringify(name)} has a placeholder {${field}}; Triton image URIs take {account_id}, {region} and {base}.`);
      })];
    }),
  );
}

/** Python's str.format with named fields only (`{{` and `}}` are braces). */
function strFormat(text: string, field: (name: string) => string): string {
  return text.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (match, name: string | undefined) => {
    if (match === "{{") return "{";
    if (match === "}}") return "}";
    return field(name ?? "");
  });
}

/**
 * dict_formatter.format_dict: every string holding `{...}` has its dotted placeholders replaced
 * from `update` (a string that is one placeholder becomes the value itself), and
 * `{idempotence_token}` by `token` when one is given.
 */
export function formatDict(service: string, value: PyValue, update: PyDict, token?: string): PyValue {
  if (typeof value === "string") return value.includes("{") && value.includes("}") ? formatString(service, value, update, token) : value;
  if (Array.isArray(value)) return value.map((item) => formatDict(service, item, update, token));
  if (isPyDict(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, formatDict(service, item, update, token)]));
  }
  return value;
}

function formatString(service: string, original: string, update: PyDict, token: string | undefined): PyValue {
  let text = original;
  for (const [, match = ""] of original.matchAll(/\{([^}]+)\}/g)) {
    if (match.includes(".")) {
      const nested = nestedValue(update, match.split("."));
      if (`{${match}}` === text) return nested;
      text = replacePlaceholder(service, text, match, pyStr(nested));
    } else if (match === "idempotence_token" && token) {
      text = replacePlaceholder(service, text, match, token);
    }
  }
  return text;
}

/** get_nested_value, with an error that names the path rather than printing every input. */
function nestedValue(update: PyDict, keys: readonly string[]): PyValue {
  let current: PyValue = update;
  let where = "the placeholder values";
  for (const key of keys) {
    if (!isPyDict(current) || !Object.hasOwn(current, key)) {
      const known = isPyDict(current) ? Object.keys(current).map((name) => JSON.stringify(name)).join(", ") || "none" : "it is not a dict";
      throw new InvalidArgumentError(`Could not find the key ${JSON.stringify(key)} in ${where} (keys: ${known}) for placeholder {${keys.join(".")}}.`);
    }
    current = current[key]!;
    where = `${where}[${JSON.stringify(key)}]`;
  }
  return current;
}

/** dict_formatter.replace_placeholder: every copy at once; SageMaker tokens cut to fit 63 characters. */
function replacePlaceholder(service: string, text: string, placeholder: string, replacement: string): string {
  const braced = `{${placeholder}}`;
  const replaced = text.split(braced).join(replacement);
  if (service !== "sagemaker" || !TOKEN_PLACEHOLDERS.has(placeholder) || replaced.length <= SAGEMAKER_NAME_CHARS) return replaced;
  // replacement[:n] in Python and slice(0, n) alike drop -n characters from the end when n < 0.
  const cut = replacement.slice(0, SAGEMAKER_NAME_CHARS - text.split(braced).join("").length);
  return text.split(braced).join(cut);
}

/** `"idempotence_token" in str(config)`: the text appears in a key or a string of the config. */
function mentions(value: PyValue, text: string): boolean {
  if (typeof value === "string") return value.includes(text);
  if (Array.isArray(value)) return value.some((item) => mentions(item, text));
  if (isPyDict(value)) return Object.entries(value).some(([key, item]) => key.includes(text) || mentions(item, text));
  return false;
}

/**
 * boto3_mixin.sorted_dict_str: dicts by key, lists by the `str()` of their items, everything else
 * as `str()`.
 */
export function sortedDictStr(value: PyValue): string {
  if (isPyDict(value)) {
    const entries = Object.entries(value).sort(([a], [b]) => compareCodePoints(a, b));
    return `{${entries.map(([key, item]) => `${key}: ${sortedDictStr(item)}`).join(", ")}}`;
  }
  if (Array.isArray(value)) {
    const keyed = value.map((item: PyValue) => ({ item, key: pyStr(item) }));
    keyed.sort((a, b) => compareCodePoints(a.key, b.key));
    return `[${keyed.map(({ item }) => sortedDictStr(item)).join(", ")}]`;
  }
  return pyStr(value);
}

/** Python orders strings by code point; JavaScript's default by UTF-16 unit. */
function compareCodePoints(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  for (let index = 0; index < Math.min(left.length, right.length); index++) {
    const difference = left[index]!.codePointAt(0)! - right[index]!.codePointAt(0)!;
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}

let hasher: ReturnType<typeof xxhash> | undefined;

/** xxhash.xxh64(text).hexdigest(): the UTF-8 bytes, seed 0, 16 hex digits. */
export async function xxh64Hex(text: string): Promise<string> {
  const { h64Raw } = await (hasher ??= xxhash());
  return h64Raw(new TextEncoder().encode(text)).toString(16).padStart(16, "0");
}
