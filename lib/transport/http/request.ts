/**
 * The request message(s) of a matched route: from the body for `body: "*"` routes, otherwise
 * from the path variables and query parameters, set by field path and converted through the
 * proto3 JSON mapping (so `start_time` is RFC 3339, `step` "30s", `lines` a number, and the bytes
 * `{resource_meta}` base64url or standard base64, padded or not). What the descriptor does not
 * know (a field, an enum name, a query parameter) is skipped, as grpc-gateway skips it: a client
 * built on a newer flyteidl is understood as far as this one goes, as over binary protobuf. So is
 * a query parameter for what the path sets, and any query of a body route.
 */
import { InvalidArgumentError } from "../../connector/errors.js";
import { findField, fromJson, hasScalarJson, isEnumType, type FieldInfo } from "../../idl/json-mapping.js";
import { MAX_REQUEST_DEPTH, MAX_REQUEST_MESSAGES } from "../../limits.js";
import { tooManyRequestMessages, type Operation } from "../../service/operations.js";
import { decodeBase64, decodeMessage } from "../codec.js";
import { decodeDelimited } from "./delimited.js";
import type { HttpRequest } from "./event.js";
import { isProtobuf, type MediaType } from "./media-types.js";
import type { RouteMatch } from "./routes.js";

/** `bodyType` is the request's media type, for routes with a body. */
export function decodeRequests({ route, params }: RouteMatch, request: HttpRequest, bodyType: MediaType): object[] {
  const { operation } = route;
  // The query of a body route is not read at all, as grpc-gateway's body "*" handlers never parse it.
  if (route.hasBody) return isProtobuf(bodyType) ? decodeProtobufBody(operation, request) : decodeJsonBody(operation, request);
  const typeName = operation.requestTypeName;
  const json: Record<string, unknown> = {};
  for (const [fieldPath, segment] of params) {
    setParameter(json, resolve(typeName, fieldPath)!, [decodeSegment(segment)], `Path parameter {${fieldPath}}`);
  }
  for (const [fieldPath, { fields, values, name }] of queryFields(typeName, request.query)) {
    // What the path sets, or holds, is not the query's to set: grpc-gateway's generated filter skips it.
    if (setByPath(fieldPath, params.keys())) continue;
    setParameter(json, fields, values, `Query parameter "${name}"`);
  }
  return [fromJson(typeName, json, JSON_REQUEST)];
}

const JSON_REQUEST = { maxDepth: MAX_REQUEST_DEPTH, discardUnknown: true } as const;

function decodeProtobufBody(operation: Operation, request: HttpRequest): object[] {
  const bytes = request.isBase64Encoded
    ? decodeBase64(request.body, "The request body")
    : new Uint8Array(Buffer.from(request.body, "utf8"));
  const { requestType, requestTypeName } = operation;
  return operation.requestStream
    ? decodeDelimited(requestType, requestTypeName, bytes, { maxMessages: MAX_REQUEST_MESSAGES, maxDepth: MAX_REQUEST_DEPTH })
    : [decodeMessage(requestType, requestTypeName, bytes, MAX_REQUEST_DEPTH)];
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function decodeJsonBody(operation: Operation, request: HttpRequest): object[] {
  let text = request.body;
  if (request.isBase64Encoded) {
    try {
      text = utf8.decode(decodeBase64(request.body, "The request body"));
    } catch (error) {
      if (error instanceof InvalidArgumentError) throw error;
      throw new InvalidArgumentError("The request body is not UTF-8 text.");
    }
  }
  const { requestTypeName: typeName } = operation;
  // An empty body is the empty message (grpc-gateway reads EOF the same way), or no messages.
  const json = text.trim() === "" ? (operation.requestStream ? [] : {}) : parseJson(text);
  if (!operation.requestStream) return [fromJson(typeName, json, JSON_REQUEST)];
  if (!Array.isArray(json)) throw new InvalidArgumentError(`Expected a JSON array of ${typeName} messages.`);
  if (json.length > MAX_REQUEST_MESSAGES) throw tooManyRequestMessages(operation);
  return json.map((message, index) => {
    try {
      return fromJson(typeName, message, JSON_REQUEST);
    } catch (error) {
      if (!(error instanceof InvalidArgumentError)) throw error;
      throw new InvalidArgumentError(`Message ${index} of the stream: ${error.message}`, { cause: error });
    }
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidArgumentError(`The request body is not valid JSON: ${(error as Error).message}.`);
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new InvalidArgumentError(`Path segment "${segment}" is not valid percent-encoding.`);
  }
}

/** The fields along a dotted path of snake_case or camelCase names, or undefined if one does not exist. */
function resolve(typeName: string, dottedName: string): FieldInfo[] | undefined {
  const fields: FieldInfo[] = [];
  let type: string | null = typeName;
  for (const name of dottedName.split(".")) {
    const field: FieldInfo | undefined = type === null ? undefined : findField(type, name);
    if (!field) return undefined;
    fields.push(field);
    type = field.isMap || field.isRepeated ? null : field.messageType;
  }
  return fields;
}

/** Query parameters grouped by the field they set (however they spell it), in canonical dotted form. */
function queryFields(typeName: string, query: HttpRequest["query"]) {
  const grouped = new Map<string, { fields: FieldInfo[]; values: string[]; name: string }>();
  for (const [name, value] of query) {
    const fields = resolve(typeName, name);
    if (!fields) continue;
    const fieldPath = fields.map((field) => field.name).join(".");
    const group = grouped.get(fieldPath) ?? { fields, values: [], name };
    group.values.push(value);
    grouped.set(fieldPath, group);
  }
  return grouped;
}

/** Whether `fieldPath` is a path parameter's field, inside one, or holds one (`task_category` holds `task_category.name`). */
function setByPath(fieldPath: string, pathFields: Iterable<string>): boolean {
  for (const pathField of pathFields) {
    if (fieldPath === pathField || fieldPath.startsWith(`${pathField}.`) || pathField.startsWith(`${fieldPath}.`)) return true;
  }
  return false;
}

/** Sets the JSON value the parameter's text stands for, at the field path, creating the messages on the way. */
function setParameter(json: Record<string, unknown>, fields: readonly FieldInfo[], values: readonly string[], what: string): void {
  const leaf = fields.at(-1)!;
  if (leaf.isMap || (leaf.messageType !== null && !hasScalarJson(leaf.messageType))) {
    throw new InvalidArgumentError(`${what} cannot set ${leaf.name}: a ${leaf.isMap ? "map" : "message"} has no text form.`);
  }
  if (!leaf.isRepeated && values.length > 1) throw new InvalidArgumentError(`${what} is given ${values.length} times; it takes one value.`);
  let target = json;
  for (const field of fields.slice(0, -1)) {
    target = (target[field.name] ??= {}) as Record<string, unknown>;
  }
  const converted = values.map((text) => parameterValue(leaf, text));
  target[leaf.name] = leaf.isRepeated ? converted : converted[0];
}

/**
 * The JSON value a parameter's text stands for: booleans and enum numbers leave the string form;
 * everything else the JSON mapping reads from a string as it is.
 */
function parameterValue(field: FieldInfo, text: string): unknown {
  const scalarType = field.messageType ? findField(field.messageType, "value")?.scalarType : field.scalarType;
  if (scalarType === "bool") return text === "true" ? true : text === "false" ? false : text;
  if (scalarType && isEnumType(scalarType) && /^-?\d+$/.test(text)) return Number(text);
  return text;
}
