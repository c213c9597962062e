/**
 * `serverless package` on serverless.yml with the prebuilt artifacts: it must work with no AWS
 * credentials at all, and the CloudFormation template must deploy every operation as an arm64
 * nodejs22.x function behind its CONTRACT.md §3 route with IAM authorization, each function
 * running as a role that can do nothing but write its own logs.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { operationNames, type OperationName } from "../../lib/service/operations.js";
import { REPO_ROOT, buildFunctions } from "../support/build.js";

/** CONTRACT.md §3, as written there. */
const CONTRACT_ROUTES: Record<OperationName, string> = {
  createTask: "POST /api/v1/agent/task",
  getTask: "GET /api/v1/agent/task/{name}/{version}/{resource_meta}",
  deleteTask: "DELETE /api/v1/agent/task_executions/{name}/{version}/{resource_meta}",
  getTaskMetrics: "GET /api/v1/agent/task/metrics/{name}/{version}/{resource_meta}",
  getTaskLogs: "GET /api/v1/agent/task/logs/{name}/{version}/{resource_meta}",
  executeTaskSync: "POST /api/v1/agent/task/stream",
  getAgent: "GET /api/v1/agent/{name}",
  listAgents: "GET /api/v1/agents",
};

/** API Gateway ends any integration after 30 s, whatever the function's own timeout. */
const API_GATEWAY_TIMEOUT_SECONDS = 30;

interface Resource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
  readonly DependsOn?: string[];
}
interface Template {
  readonly Resources: Record<string, Resource>;
}

const logicalName = (key: string) => key[0]!.toUpperCase() + key.slice(1);

let packageDir: string;
let template: Template;

/** serverless with no way to find credentials: no AWS_* variables and an empty home. */
async function packageWithoutCredentials(outDir: string): Promise<void> {
  const home = join(outDir, "home");
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("AWS_")));
  const require = createRequire(import.meta.url);
  const manifest = require.resolve("serverless/package.json", { paths: [REPO_ROOT] });
  const cli = join(dirname(manifest), (require(manifest) as { bin: { serverless: string } }).bin.serverless);
  await promisify(execFile)(process.execPath, [cli, "package", "--package", outDir], {
    cwd: REPO_ROOT,
    env: { ...env, HOME: home, AWS_SDK_LOAD_CONFIG: "0", AWS_CONFIG_FILE: join(home, "none"), AWS_SHARED_CREDENTIALS_FILE: join(home, "none") },
  });
}

beforeAll(async () => {
  await buildFunctions();
  packageDir = await mkdtemp(join(tmpdir(), "flyte-package-"));
  await packageWithoutCredentials(packageDir);
  template = JSON.parse(await readFile(join(packageDir, "cloudformation-template-update-stack.json"), "utf8")) as Template;
});

afterAll(async () => {
  if (packageDir) await rm(packageDir, { recursive: true, force: true });
});

const resourcesOfType = (type: string) => Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);

describe("serverless package", () => {
  it("deploys exactly the eight operations, one function each", () => {
    const functions = resourcesOfType("AWS::Lambda::Function").map(([name]) => name);
    expect(functions.sort()).toEqual(operationNames.map((key) => `${logicalName(key)}LambdaFunction`).sort());
  });

  describe.each(operationNames)("%s", (key) => {
    const fn = () => template.Resources[`${logicalName(key)}LambdaFunction`]!.Properties;

    it("runs the prebuilt artifact on nodejs22.x, arm64", () => {
      expect(fn()).toMatchObject({ Runtime: "nodejs22.x", Architectures: ["arm64"], Handler: "index.handler" });
      expect((fn()["Code"] as { S3Key: string }).S3Key).toMatch(new RegExp(`/${key}\\.zip$`));
    });

    it("answers before API Gateway gives up", () => {
      expect(fn()["Timeout"]).toBeLessThan(API_GATEWAY_TIMEOUT_SECONDS);
      expect(fn()["MemorySize"]).toBeGreaterThanOrEqual(128);
    });

    it("is reached by its contract route, with IAM authorization", () => {
      const integration = `HttpApiIntegration${logicalName(key)}`;
      const routes = resourcesOfType("AWS::ApiGatewayV2::Route")
        .map(([, route]) => route.Properties)
        .filter((route) => JSON.stringify(route["Target"]).includes(`"${integration}"`))
        .map((route) => ({ key: route["RouteKey"], auth: route["AuthorizationType"] }));
      expect(routes).toContainEqual({ key: CONTRACT_ROUTES[key], auth: "AWS_IAM" });
    });

    it("runs as its own role, allowed only to write its own log group", () => {
      const role = `${logicalName(key)}Role`;
      expect(fn()["Role"]).toEqual({ "Fn::GetAtt": [role, "Arn"] });
      const policies = template.Resources[role]!.Properties["Policies"] as { PolicyDocument: { Statement: unknown[] } }[];
      expect(policies.flatMap((policy) => policy.PolicyDocument.Statement)).toEqual([
        {
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: { "Fn::GetAtt": [`${logicalName(key)}LogGroup`, "Arn"] },
        },
      ]);
      expect(template.Resources[`${logicalName(key)}LogGroup`]!.Type).toBe("AWS::Logs::LogGroup");
    });
  });

  it("has no route without IAM authorization, and no route outside the contract but the catch-all", () => {
    const routes = resourcesOfType("AWS::ApiGatewayV2::Route").map(([, route]) => route.Properties);
    expect(routes.filter((route) => route["AuthorizationType"] !== "AWS_IAM")).toEqual([]);
    expect(routes.map((route) => route["RouteKey"]).sort()).toEqual([...Object.values(CONTRACT_ROUTES), "$default"].sort());
  });

  it("creates no role beyond the functions' own (no shared execution role)", () => {
    expect(resourcesOfType("AWS::IAM::Role").map(([name]) => name).sort()).toEqual(
      operationNames.map((key) => `${logicalName(key)}Role`).sort(),
    );
  });

  it("allows no wildcard action anywhere in the template", () => {
    const allowed: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(walk);
      if (typeof node !== "object" || node === null) return;
      const { Effect, Action } = node as { Effect?: unknown; Action?: unknown };
      if (Effect === "Allow") allowed.push(...[Action].flat().map(String));
      Object.values(node).forEach(walk);
    };
    walk(template);
    expect(allowed.length).toBeGreaterThan(0);
    expect(allowed.filter((action) => action.includes("*"))).toEqual([]);
  });
});
