/**
 * The HTTP routes: the google.api.http annotations of flyteidl and flyteidl2 as their operations
 * tables carry them (docs/CONTRACT.md §3 and §7), compiled once. A template is matched against the end of the path, so whatever
 * API Gateway puts before it — a named stage (`/prod/...` in payload 2.0 `rawPath`), a custom
 * domain's base path (`/flyte/...` in payload 1.0 `path` and 2.0 `rawPath`) — is passed over.
 */
import { Status } from "../../connector/errors.js";
import { findField, type FieldInfo } from "../../idl/json-mapping.js";
import { flyteidl2Operations } from "../../service/flyteidl2/operations.js";
import { operationNames, operations, type Operation } from "../../service/operations.js";
import { HttpError } from "./errors.js";

export interface Route {
  readonly operation: Operation;
  readonly method: string;
  /** The annotated template, e.g. `/api/v1/agent/{name}`. */
  readonly template: string;
  /** Literal segments, and variables as the dotted field path they set. */
  readonly segments: readonly Segment[];
  /** Whether the request message is the body (`body: "*"`); otherwise it is path and query. */
  readonly hasBody: boolean;
}

export type Segment = { readonly literal: string } | { readonly field: string };

export interface RouteMatch {
  readonly route: Route;
  /** Each variable's path segment, still percent-encoded, by its dotted field path. */
  readonly params: ReadonlyMap<string, string>;
}

const VARIABLE = /^\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\}$/;

/**
 * Supports what flyteidl annotates: single-segment variables and a body of `*` (with no path
 * variables) or none. Anything else fails at load, so an IDL upgrade cannot route wrongly.
 */
function compile(operation: Operation): Route {
  const { method, path, body } = operation.http;
  const where = `${operation.name} (${method} ${path})`;
  const segments = path
    .split("/")
    .slice(1)
    .map((segment): Segment => {
      const variable = VARIABLE.exec(segment)?.[1];
      if (variable) {
        checkFieldPath(operation.requestTypeName, variable, where);
        return { field: variable };
      }
      if (/[{}:*]/.test(segment)) throw new Error(`Unsupported path template segment "${segment}" in ${where}`);
      return { literal: segment };
    });
  if (body !== null && body !== "*") throw new Error(`Unsupported body "${body}" in ${where}`);
  if (body === "*" && segments.some((segment) => "field" in segment)) {
    throw new Error(`Path variables with body "*" are not supported in ${where}`);
  }
  return { operation, method, template: path, segments, hasBody: body === "*" };
}

function checkFieldPath(typeName: string, fieldPath: string, where: string): void {
  let type: string | null = typeName;
  for (const name of fieldPath.split(".")) {
    const field: FieldInfo | undefined = type === null ? undefined : findField(type, name);
    if (!field) throw new Error(`Path variable {${fieldPath}} of ${where} names no field of ${typeName}`);
    type = field.messageType;
  }
}

export const routes: readonly Route[] = [
  ...operationNames.map((name) => compile(operations[name])),
  ...Object.values(flyteidl2Operations).map(compile),
];

/** The route for a request; 404 when no template fits the path, 405 (with `Allow`) for another method. */
export function matchRoute(method: string, path: string): RouteMatch {
  const segments = path.split("/").slice(1);
  let best: { prefix: number; matches: RouteMatch[] } | undefined;
  for (const route of routes) {
    const prefix = segments.length - route.segments.length;
    if (prefix < 0 || (best && prefix > best.prefix)) continue;
    const params = matchTail(route, segments.slice(prefix));
    if (!params) continue;
    if (!best || prefix < best.prefix) best = { prefix, matches: [] };
    best.matches.push({ route, params });
  }
  if (!best) throw new HttpError(404, Status.NOT_FOUND, `No route for ${method} ${path}.`);
  const found = best.matches.find((match) => match.route.method === method);
  if (found) return found;
  const allowed = [...new Set(best.matches.map((match) => match.route.method))].join(", ");
  throw new HttpError(405, Status.UNIMPLEMENTED, `Method ${method} is not allowed for ${path}; allowed: ${allowed}.`, {
    Allow: allowed,
  });
}

function matchTail(route: Route, segments: readonly string[]): Map<string, string> | undefined {
  const params = new Map<string, string>();
  for (const [index, segment] of route.segments.entries()) {
    const actual = segments[index]!;
    if ("literal" in segment ? actual !== segment.literal : actual === "") return undefined;
    if ("field" in segment) params.set(segment.field, actual);
  }
  return params;
}
