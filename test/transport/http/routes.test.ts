import { describe, expect, test } from "vitest";
import { Status } from "../../../lib/connector/errors.js";
import { flyteidl2Operations } from "../../../lib/service/flyteidl2/operations.js";
import { operationNames, operations } from "../../../lib/service/operations.js";
import { HttpError } from "../../../lib/transport/http/errors.js";
import { matchRoute, routes } from "../../../lib/transport/http/routes.js";

function failure(method: string, path: string): HttpError {
  try {
    matchRoute(method, path);
  } catch (error) {
    expect(error).toBeInstanceOf(HttpError);
    return error as HttpError;
  }
  throw new Error(`${method} ${path} matched`);
}

describe("route table", () => {
  test("has one route per operation of each protocol, from its google.api.http annotation", () => {
    expect(routes.map((route) => route.operation)).toEqual([...operationNames.map((name) => operations[name]), ...Object.values(flyteidl2Operations)]);
    for (const route of routes) {
      expect(route.method).toBe(route.operation.http.method);
      expect(route.template).toBe(route.operation.http.path);
      expect(route.hasBody).toBe(route.operation.http.body === "*");
    }
  });

  test("reads the variables of a template as field paths", () => {
    expect(routes.find((route) => route.operation === operations.getTask)?.segments).toEqual([
      { literal: "api" },
      { literal: "v1" },
      { literal: "agent" },
      { literal: "task" },
      { field: "task_category.name" },
      { field: "task_category.version" },
      { field: "resource_meta" },
    ]);
  });

  test("serves the routes of docs/CONTRACT.md §3 and §7", () => {
    expect(routes.map((route) => `${route.method} ${route.template}`)).toEqual([
      "POST /api/v1/agent/task",
      "GET /api/v1/agent/task/{task_category.name}/{task_category.version}/{resource_meta}",
      "DELETE /api/v1/agent/task_executions/{task_category.name}/{task_category.version}/{resource_meta}",
      "GET /api/v1/agent/task/metrics/{task_category.name}/{task_category.version}/{resource_meta}",
      "GET /api/v1/agent/task/logs/{task_category.name}/{task_category.version}/{resource_meta}",
      "POST /api/v1/agent/task/stream",
      "GET /api/v1/agent/{name}",
      "GET /api/v1/agents",
      "POST /api/v1/connector/task",
      "GET /api/v1/connector/task/{task_category.name}/{task_category.version}/{resource_meta}",
      "DELETE /api/v1/connector/task_executions/{task_category.name}/{task_category.version}/{resource_meta}",
      "GET /api/v1/connector/task/metrics/{task_category.name}/{task_category.version}/{resource_meta}",
      "GET /api/v1/connector/task/logs/{task_category.name}/{task_category.version}/{resource_meta}",
      "GET /api/v1/connector/{name}",
      "GET /api/v1/connectors",
    ]);
  });

  test.each([
    ["POST", "/api/v1/connector/task", "createTask"],
    ["GET", "/prod/api/v1/connector/task/job/3/bWV0YQ==", "getTask"],
    ["DELETE", "/api/v1/connector/task_executions/job/0/bWV0YQ", "deleteTask"],
    ["GET", "/api/v1/connector/task/metrics/job/0/m", "getTaskMetrics"],
    ["GET", "/api/v1/connector/task/logs/job/0/m", "getTaskLogs"],
    ["GET", "/api/v1/connector/task", "getAgent"],
    ["GET", "/api/v1/connectors", "listAgents"],
  ])("%s %s is Flyte 2's %s", (method, path, name) => {
    const { route } = matchRoute(method, path);
    expect(route.operation).toBe(flyteidl2Operations[name as keyof typeof flyteidl2Operations]);
  });
});

describe("matching", () => {
  test.each([
    ["POST", "/api/v1/agent/task", "createTask", {}],
    ["GET", "/api/v1/agent/task/job/3/bWV0YQ==", "getTask", { "task_category.name": "job", "task_category.version": "3", resource_meta: "bWV0YQ==" }],
    ["DELETE", "/api/v1/agent/task_executions/job/0/bWV0YQ", "deleteTask", { "task_category.name": "job", "task_category.version": "0", resource_meta: "bWV0YQ" }],
    ["GET", "/api/v1/agent/task/metrics/job/0/m", "getTaskMetrics", { "task_category.name": "job", "task_category.version": "0", resource_meta: "m" }],
    ["GET", "/api/v1/agent/task/logs/job/0/m", "getTaskLogs", { "task_category.name": "job", "task_category.version": "0", resource_meta: "m" }],
    ["POST", "/api/v1/agent/task/stream", "executeTaskSync", {}],
    ["GET", "/api/v1/agent/Job%20Connector", "getAgent", { name: "Job%20Connector" }],
    ["GET", "/api/v1/agents", "listAgents", {}],
  ])("%s %s is %s", (method, path, name, params) => {
    const match = matchRoute(method, path);
    expect(match.route.operation.name).toBe(name);
    expect(Object.fromEntries(match.params)).toEqual(params);
  });

  test("a literal segment is not taken for a variable of another route", () => {
    expect(matchRoute("GET", "/api/v1/agent/task/metrics/job/0/m").route.operation.name).toBe("getTaskMetrics");
    // Seven segments under task/: only getTask has that many, with "metrics" as the name.
    expect(matchRoute("GET", "/api/v1/agent/task/metrics/0/m").route.operation.name).toBe("getTask");
  });

  test.each([
    ["a named stage (payload 2.0 rawPath)", "/prod/api/v1/agents"],
    ["a custom domain base path", "/flyte/connectors/api/v1/agents"],
  ])("passes over %s before the route", (_, path) => {
    expect(matchRoute("GET", path).route.operation.name).toBe("listAgents");
  });

  test("the variables of a prefixed path are those of the route", () => {
    const match = matchRoute("GET", "/prod/api/v1/agent/task/job/0/m");
    expect(match.route.operation.name).toBe("getTask");
    expect(match.params.get("task_category.name")).toBe("job");
  });

  test.each([
    ["an unknown path", "GET", "/api/v1/nope"],
    ["a trailing slash", "GET", "/api/v1/agents/"],
    ["an empty variable", "GET", "/api/v1/agent/task//0/m"],
    ["an empty path", "GET", ""],
    ["a path short of the route", "GET", "/api/v1/agent/task/job/0"],
    ["a path beyond the route", "GET", "/api/v1/agents/more"],
  ])("%s is 404 NOT_FOUND", (_, method, path) => {
    const error = failure(method, path);
    expect(error.httpStatus).toBe(404);
    expect(error.code).toBe(Status.NOT_FOUND);
    expect(error.message).toBe(`No route for ${method} ${path}.`);
  });

  test("a known path with another method is 405 with Allow", () => {
    const error = failure("DELETE", "/api/v1/agents");
    expect(error.httpStatus).toBe(405);
    expect(error.code).toBe(Status.UNIMPLEMENTED);
    expect(error.headers).toEqual({ Allow: "GET" });
    expect(error.message).toBe("Method DELETE is not allowed for /api/v1/agents; allowed: GET.");
  });

  test("Allow lists every method the path has", () => {
    // POST createTask, and GET getAgent with the name "task".
    expect(failure("PUT", "/api/v1/agent/task").headers).toEqual({ Allow: "POST, GET" });
    expect(failure("GET", "/api/v1/agent/task/stream").headers).toEqual({ Allow: "POST" });
  });
});
