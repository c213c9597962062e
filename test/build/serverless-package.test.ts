/**
 * `serverless package` on serverless.yml with the prebuilt artifacts: it must work with no AWS
 * credentials at all, and the CloudFormation template must deploy every operation as an arm64
 * nodejs22.x function behind its docs/CONTRACT.md §3 route with IAM authorization, each function
 * running as a role that can do nothing but write its own logs — and, with sealed metas on, read
 * exactly the keys' parameter or secret, in exactly the functions that handle a meta.
 *
 * The template is packaged three times, sealing off (the default) and on with the keys in SSM or
 * in Secrets Manager (--param), and read as CloudFormation would deploy it: conditions decided,
 * Fn::If taken, the ARNs joined.
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
import { zipEntries } from "./zip-entries.js";

/** docs/CONTRACT.md §3, as written there. */
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

/** docs/CONTRACT.md §7, Flyte 2's routes on the same functions (it has no sync service). */
const CONTRACT_ROUTES_V2: Partial<Record<OperationName, string>> = {
  createTask: "POST /api/v1/connector/task",
  getTask: "GET /api/v1/connector/task/{name}/{version}/{resource_meta}",
  deleteTask: "DELETE /api/v1/connector/task_executions/{name}/{version}/{resource_meta}",
  getTaskMetrics: "GET /api/v1/connector/task/metrics/{name}/{version}/{resource_meta}",
  getTaskLogs: "GET /api/v1/connector/task/logs/{name}/{version}/{resource_meta}",
  getAgent: "GET /api/v1/connector/{name}",
  listAgents: "GET /api/v1/connectors",
};

/** API Gateway ends any integration after 30 s, whatever the function's own timeout. */
const API_GATEWAY_TIMEOUT_SECONDS = 30;

/** The operations that seal or open a resource meta. */
const META_OPERATIONS: readonly OperationName[] = ["createTask", "getTask", "deleteTask", "getTaskMetrics", "getTaskLogs"];
const META_KEYS_PARAMETER = "/flyte-connectors/meta-keys";
const META_KEYS_KMS_KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const META_KEYS_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:flyte-connectors/meta-keys-AbCdEf";
const SEALING_PARAMS = [`metaKeysParameter=${META_KEYS_PARAMETER}:3`, `metaKeysKmsKeyArn=${META_KEYS_KMS_KEY}`];
/** Connector secrets from Secrets Manager (docs/CONTRACT.md §9), with a customer managed key. */
const CONNECTOR_SECRETS = "arn:aws:secretsmanager:us-east-1:123456789012:secret:flyte-connectors/secrets-GhIjKl";
const CONNECTOR_SECRETS_PARAMS = [`connectorSecrets=${CONNECTOR_SECRETS}`, `connectorSecretsKmsKeyArn=${META_KEYS_KMS_KEY}`];
/** The operations that run a connector, and so may read its secrets. */
const CONNECTOR_OPERATIONS: readonly OperationName[] = [...META_OPERATIONS, "executeTaskSync"];
/** The AWS connectors' grants (serverless.yml): SageMaker endpoints by name pattern, the file sensor's bucket, boto's managed policies. */
const SAGEMAKER_ENDPOINTS = "flyte-*";
const SENSOR_BUCKET = "flyte-sensor-data";
const BOTO_POLICIES = ["arn:aws:iam::123456789012:policy/flyte-boto-ec2", "arn:aws:iam::123456789012:policy/flyte-boto-sfn"];
const SAGEMAKER_REGION = "eu-west-1";
const AWS_CONNECTOR_PARAMS = [
  `sagemakerEndpoints=${SAGEMAKER_ENDPOINTS}`,
  `sagemakerRegion=${SAGEMAKER_REGION}`,
  `s3SensorBuckets=${SENSOR_BUCKET}`,
  `botoPolicyArns=${BOTO_POLICIES.join(",")}`,
  "syncTaskTimeout=300",
  "createTaskTimeout=120",
];
/** Connector settings (README, "Connectors"): each param, the variable it sets in the functions that run connectors. */
const CONNECTOR_SETTINGS: Readonly<Record<string, readonly [param: string, value: string]>> = {
  FLYTE_DATABRICKS_INSTANCE: ["databricksInstance", "dbc-1.cloud.databricks.com"],
  FLYTE_DATABRICKS_ALLOWED_INSTANCES: ["databricksAllowedInstances", "dbc-1.cloud.databricks.com,dbc-2.cloud.databricks.com"],
  FLYTE_DATABRICKS_SERVICE_CREDENTIAL_PROVIDER: ["databricksServiceCredentialProvider", "flyte-s3"],
  OPENAI_BASE_URL: ["openaiBaseUrl", "https://gateway.example.com/v1"],
};
const SECRET_SEALING_PARAMS = [`metaKeysSecret=${META_KEYS_SECRET}`, `metaKeysKmsKeyArn=${META_KEYS_KMS_KEY}`, "plainMetas=accept"];
/** What the pseudo parameters are taken to be when the template is read as deployed. */
const PSEUDO: Readonly<Record<string, string>> = { "AWS::Partition": "aws", "AWS::Region": "us-east-1", "AWS::AccountId": "123456789012" };

interface Resource {
  readonly Type: string;
  readonly Condition?: string;
  readonly Properties: Record<string, unknown>;
  readonly DependsOn?: string[];
}
interface Template {
  readonly Conditions?: Record<string, unknown>;
  readonly Resources: Record<string, Resource>;
}
interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

const logicalName = (key: string) => key[0]!.toUpperCase() + key.slice(1);

let packageDir: string;
let template: Template;
/** Sealing off and on, as CloudFormation would deploy them. */
let deployed: Template;
let sealed: Template;
let sealedBySecret: Template;
let withConnectorSecrets: Template;
let withAwsConnectors: Template;
/** What serverless packaged each function from. */
let state: { service: { functions: Record<string, { handler: string; package: { artifact: string } }> } };

/** serverless with no way to find credentials: no AWS_* variables and an empty home. */
async function packageWithoutCredentials(outDir: string, params: readonly string[] = []): Promise<void> {
  const home = join(outDir, "home");
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("AWS_")));
  const require = createRequire(import.meta.url);
  const manifest = require.resolve("serverless/package.json", { paths: [REPO_ROOT] });
  const cli = join(dirname(manifest), (require(manifest) as { bin: { serverless: string } }).bin.serverless);
  await promisify(execFile)(process.execPath, [cli, "package", "--package", outDir, ...params.map((param) => `--param=${param}`)], {
    cwd: REPO_ROOT,
    env: { ...env, HOME: home, AWS_SDK_LOAD_CONFIG: "0", AWS_CONFIG_FILE: join(home, "none"), AWS_SHARED_CREDENTIALS_FILE: join(home, "none") },
  });
}

const NO_VALUE = Symbol("AWS::NoValue");

/** The template as deployed: conditions decided, Fn::If taken, AWS::NoValue dropped, strings built. */
function asDeployed(raw: Template): Template {
  const conditions = raw.Conditions ?? {};
  const holds = (node: unknown): boolean => {
    const [[fn, args]] = Object.entries(node as Record<string, unknown>) as [[string, unknown]];
    if (fn === "Condition") return holds(conditions[args as string]);
    const list = args as unknown[];
    if (fn === "Fn::Not") return !holds(list[0]);
    if (fn === "Fn::And") return list.every(holds);
    if (fn === "Fn::Or") return list.some(holds);
    if (fn === "Fn::Equals") return resolve(list[0]) === resolve(list[1]);
    throw new Error(`condition function ${fn} not understood`);
  };
  const resolve = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(resolve).filter((item) => item !== NO_VALUE);
    if (typeof node !== "object" || node === null) return node;
    const entries = Object.entries(node);
    const [fn, args] = entries[0] ?? [];
    if (entries.length === 1 && typeof fn === "string") {
      const list = args as unknown[];
      if (fn === "Fn::If") return resolve(holds({ Condition: list[0] }) ? list[1] : list[2]);
      if (fn === "Ref" && args === "AWS::NoValue") return NO_VALUE;
      if (fn === "Ref" && typeof args === "string" && args in PSEUDO) return PSEUDO[args];
      if (fn === "Fn::Sub" && typeof args === "string") return args.replace(/\$\{(AWS::\w+)\}/g, (_, name: string) => PSEUDO[name]!);
      if (fn === "Fn::Join") return (resolve(list[1]) as string[]).join(list[0] as string);
      if (fn === "Fn::Split") return (resolve(list[1]) as string).split(list[0] as string);
      if (fn === "Fn::Select") return (resolve(list[1]) as unknown[])[list[0] as number];
    }
    return Object.fromEntries(entries.map(([key, value]) => [key, resolve(value)]).filter(([, value]) => value !== NO_VALUE));
  };
  const resources = Object.entries(resolve(raw.Resources) as Template["Resources"]);
  // A resource whose condition does not hold is not created.
  return { Resources: Object.fromEntries(resources.filter(([, resource]) => resource.Condition === undefined || holds({ Condition: resource.Condition }))) };
}

async function packaged(name: string, params: readonly string[] = []): Promise<Template> {
  const outDir = join(packageDir, name);
  await packageWithoutCredentials(outDir, params);
  return JSON.parse(await readFile(join(outDir, "cloudformation-template-update-stack.json"), "utf8")) as Template;
}

beforeAll(async () => {
  await buildFunctions();
  packageDir = await mkdtemp(join(tmpdir(), "flyte-package-"));
  // One at a time: serverless keeps state in the service directory.
  sealed = asDeployed(await packaged("sealed", SEALING_PARAMS));
  sealedBySecret = asDeployed(await packaged("sealed-by-secret", SECRET_SEALING_PARAMS));
  // With the SageMaker endpoints granted too, in the deployment's own region (sagemakerRegion unset).
  withConnectorSecrets = asDeployed(await packaged("connector-secrets", [...CONNECTOR_SECRETS_PARAMS, `sagemakerEndpoints=${SAGEMAKER_ENDPOINTS}`]));
  const settings = Object.values(CONNECTOR_SETTINGS).map(([param, value]) => `${param}=${value}`);
  withAwsConnectors = asDeployed(await packaged("aws-connectors", [...AWS_CONNECTOR_PARAMS, ...settings]));
  template = await packaged("off");
  deployed = asDeployed(template);
  state = JSON.parse(await readFile(join(packageDir, "off", "serverless-state.json"), "utf8")) as typeof state;
});

afterAll(async () => {
  if (packageDir) await rm(packageDir, { recursive: true, force: true });
});

const resourcesOfType = (type: string) => Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);

/** Every statement of a role, as deployed. */
function statementsOf(from: Template, role: string): Statement[] {
  const policies = from.Resources[role]!.Properties["Policies"] as { PolicyDocument: { Statement: Statement[] } }[];
  return policies.flatMap((policy) => policy.PolicyDocument.Statement);
}

const logStatement = (key: string): Statement => ({
  Effect: "Allow",
  Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
  Resource: { "Fn::GetAtt": [`${logicalName(key)}LogGroup`, "Arn"] },
});

describe("serverless package", () => {
  // infra/deploy-params.cjs: a param IAM or the functions cannot use stops the package, named,
  // rather than deploying a grant that matches nothing (a name without its "/", two buckets).
  it("refuses params that IAM or the functions cannot use, naming each", async () => {
    const bad = [
      "metaKeysParameter=flyte-connectors/meta-keys",
      "metaKeysSecret=flyte-connectors/meta-keys",
      "connectorSecrets=arn:aws:secretsmanager:us-east-1:123456789012:secret:a-AbCdEf",
      "s3SensorBuckets=landing,archive",
      "sagemakerEndpoints=a-*, b-*",
      "botoPolicyArns=ReadOnlyAccess",
      "syncTaskTimeout=901",
      "plainMetas=maybe",
    ];
    const error = (await packageWithoutCredentials(join(packageDir, "bad-params"), bad).then(
      () => undefined,
      (caught: unknown) => caught,
    )) as { stdout: string; stderr: string } | undefined;
    expect(error, "serverless package accepted unusable params").toBeDefined();
    const output = `${error!.stdout}${error!.stderr}`;
    for (const name of ["metaKeysParameter", "metaKeysSecret", "s3SensorBuckets", "sagemakerEndpoints", "botoPolicyArns", "syncTaskTimeout", "plainMetas"]) {
      expect(output).toMatch(new RegExp(`^\\s*${name} is "[^"]*": it must be `, "m"));
    }
    expect(output).toContain("metaKeysParameter and metaKeysSecret are both given");
    // A full ARN is a usable value.
    expect(output).not.toMatch(/^\s*connectorSecrets is/m);
  });

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

    it("deploys the build's zip: the handler's file at its root, beside every chunk it imports, all .mjs", async () => {
      const { handler, package: { artifact } } = state.service.functions[key]!;
      expect(artifact).toBe(`.build/${key}.zip`);
      const files = new Map(zipEntries(await readFile(join(REPO_ROOT, artifact))).map(({ name, bytes }) => [name, bytes.toString("utf8")]));
      expect(files.has(`${handler.split(".")[0]}.mjs`)).toBe(true);
      expect([...files.keys()].filter((name) => !name.endsWith(".mjs"))).toEqual([]);
      const imported = [...files.values()].flatMap((code) => [...code.matchAll(/(?:from|import)\s*\(?\s*"(\.\/[^"]+)"/g)].map((match) => match[1]!.slice(2)));
      expect(imported.length).toBeGreaterThan(0);
      expect(imported.filter((name) => !files.has(name))).toEqual([]);
    });

    it("asks Node for no source maps, built without them (.build/function-environment.json)", () => {
      expect((fn()["Environment"] as { Variables: Record<string, unknown> }).Variables["NODE_OPTIONS"]).toBe("");
    });

    it("answers before API Gateway gives up", () => {
      expect(fn()["Timeout"]).toBeLessThan(API_GATEWAY_TIMEOUT_SECONDS);
      expect(fn()["MemorySize"]).toBeGreaterThanOrEqual(128);
    });

    it("takes its timeout from syncTaskTimeout (executeTaskSync) or createTaskTimeout (createTask), else keeps it", () => {
      const timeout = withAwsConnectors.Resources[`${logicalName(key)}LambdaFunction`]!.Properties["Timeout"];
      // A number in the template, as CloudFormation's Lambda resource takes it.
      expect(timeout).toBe(key === "executeTaskSync" ? 300 : key === "createTask" ? 120 : fn()["Timeout"]);
    });

    it(CONNECTOR_OPERATIONS.includes(key) ? "gets the connector settings' params, each unset (empty) by default" : "gets no connector setting", () => {
      const variables = (from: Template) =>
        (from.Resources[`${logicalName(key)}LambdaFunction`]!.Properties["Environment"] as { Variables: Record<string, unknown> } | undefined)?.Variables ?? {};
      const given = Object.fromEntries(Object.entries(CONNECTOR_SETTINGS).map(([name, [, value]]) => [name, value]));
      if (!CONNECTOR_OPERATIONS.includes(key)) {
        expect(Object.keys(variables(withAwsConnectors)).filter((name) => name in given)).toEqual([]);
        return;
      }
      expect(variables(withAwsConnectors)).toMatchObject(given);
      expect(variables(deployed)).toMatchObject(Object.fromEntries(Object.keys(given).map((name) => [name, ""])));
    });

    it("is reached by its contract route, with IAM authorization", () => {
      const integration = `HttpApiIntegration${logicalName(key)}`;
      const routes = resourcesOfType("AWS::ApiGatewayV2::Route")
        .map(([, route]) => route.Properties)
        .filter((route) => JSON.stringify(route["Target"]).includes(`"${integration}"`))
        .map((route) => ({ key: route["RouteKey"], auth: route["AuthorizationType"] }));
      expect(routes).toContainEqual({ key: CONTRACT_ROUTES[key], auth: "AWS_IAM" });
      const v2 = CONTRACT_ROUTES_V2[key];
      if (v2 !== undefined) expect(routes).toContainEqual({ key: v2, auth: "AWS_IAM" });
    });

    it("runs as its own role, allowed only to write its own log group", () => {
      const role = `${logicalName(key)}Role`;
      expect(fn()["Role"]).toEqual({ "Fn::GetAtt": [role, "Arn"] });
      expect(statementsOf(deployed, role)).toEqual([logStatement(key)]);
      expect(template.Resources[`${logicalName(key)}LogGroup`]!.Type).toBe("AWS::Logs::LogGroup");
    });

    it("has no sealing configuration while sealing is off", () => {
      const environment = deployed.Resources[`${logicalName(key)}LambdaFunction`]!.Properties["Environment"] as { Variables: Record<string, unknown> } | undefined;
      const sealing = Object.entries(environment?.Variables ?? {}).filter(([name]) => name.startsWith("FLYTE_CONNECTOR_META_KEYS"));
      // Empty is off (serverless offline needs a plain value, so the variable stays, empty).
      expect(sealing.filter(([, value]) => value !== "")).toEqual([]);
    });

    it(CONNECTOR_OPERATIONS.includes(key) ? "with connector secrets, reads exactly that secret, decrypted through Secrets Manager only" : "with connector secrets, still only writes its log", () => {
      const environment = withConnectorSecrets.Resources[`${logicalName(key)}LambdaFunction`]!.Properties["Environment"] as { Variables: Record<string, unknown> } | undefined;
      const statements = statementsOf(withConnectorSecrets, `${logicalName(key)}Role`);
      if (!CONNECTOR_OPERATIONS.includes(key)) {
        expect(environment?.Variables?.["FLYTE_CONNECTOR_SECRETS_ID"]).toBeUndefined();
        expect(statements).toEqual([logStatement(key)]);
        return;
      }
      expect(environment?.Variables?.["FLYTE_CONNECTOR_SECRETS_ID"]).toBe(CONNECTOR_SECRETS);
      expect(statements).toEqual([
        logStatement(key),
        { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: CONNECTOR_SECRETS },
        { Effect: "Allow", Action: "kms:Decrypt", Resource: META_KEYS_KMS_KEY, Condition: { StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" } } },
      ]);
    });

    const handlesMetas = META_OPERATIONS.includes(key);
    /** Sealing on, the keys in each place serverless.yml takes them from. */
    const sealings = [
      {
        keysIn: "an SSM parameter",
        template: () => sealed,
        environment: { FLYTE_CONNECTOR_META_KEYS_PARAMETER: `${META_KEYS_PARAMETER}:3`, FLYTE_CONNECTOR_META_KEYS_SECRET: "", FLYTE_CONNECTOR_PLAIN_METAS: "refuse" },
        read: { Effect: "Allow", Action: "ssm:GetParameter", Resource: `arn:aws:ssm:us-east-1:123456789012:parameter${META_KEYS_PARAMETER}` },
        through: "ssm.us-east-1.amazonaws.com",
      },
      {
        keysIn: "a Secrets Manager secret",
        template: () => sealedBySecret,
        environment: { FLYTE_CONNECTOR_META_KEYS_PARAMETER: "", FLYTE_CONNECTOR_META_KEYS_SECRET: META_KEYS_SECRET, FLYTE_CONNECTOR_PLAIN_METAS: "accept" },
        read: { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: META_KEYS_SECRET },
        through: "secretsmanager.us-east-1.amazonaws.com",
      },
    ];
    it.each(sealings)(
      handlesMetas ? "with the keys in $keysIn, reads exactly those, decrypted through that service only" : "with the keys in $keysIn, still only writes its log",
      ({ template: which, environment: expected, read, through }) => {
        const environment = which().Resources[`${logicalName(key)}LambdaFunction`]!.Properties["Environment"] as { Variables: Record<string, unknown> } | undefined;
        const statements = statementsOf(which(), `${logicalName(key)}Role`);
        if (!handlesMetas) {
          expect(Object.keys(environment?.Variables ?? {}).filter((name) => name in expected)).toEqual([]);
          expect(statements).toEqual([logStatement(key)]);
          return;
        }
        expect(environment?.Variables).toMatchObject(expected);
        expect(statements).toEqual([
          logStatement(key),
          read,
          { Effect: "Allow", Action: "kms:Decrypt", Resource: META_KEYS_KMS_KEY, Condition: { StringEquals: { "kms:ViaService": through } } },
        ]);
      },
    );
  });

  describe("the AWS connectors' grants (sagemakerEndpoints, s3SensorBuckets, botoPolicyArns)", () => {
    const endpoint = `arn:aws:sagemaker:${SAGEMAKER_REGION}:123456789012:endpoint/${SAGEMAKER_ENDPOINTS}`;
    /** Each IAM policy's roles and statements, by logical name. */
    const policies = (from: Template) =>
      Object.fromEntries(
        Object.entries(from.Resources)
          .filter(([, resource]) => resource.Type === "AWS::IAM::Policy")
          .map(([name, { Properties }]) => [name, { roles: Properties["Roles"], statements: (Properties["PolicyDocument"] as { Statement: Statement[] }).Statement }]),
      );

    it("grants each SageMaker call to the one function that makes it, and the sensor's reads to getTask, on the named resources only", () => {
      expect(policies(withAwsConnectors)).toEqual({
        SageMakerEndpointCreatePolicy: {
          roles: [{ Ref: "CreateTaskRole" }],
          statements: [
            { Effect: "Allow", Action: ["sagemaker:CreateEndpoint", "sagemaker:AddTags"], Resource: endpoint },
            { Effect: "Allow", Action: "sagemaker:CreateEndpoint", Resource: `arn:aws:sagemaker:${SAGEMAKER_REGION}:123456789012:endpoint-config/*` },
          ],
        },
        SageMakerEndpointDescribePolicy: { roles: [{ Ref: "GetTaskRole" }], statements: [{ Effect: "Allow", Action: "sagemaker:DescribeEndpoint", Resource: endpoint }] },
        SageMakerEndpointDeletePolicy: { roles: [{ Ref: "DeleteTaskRole" }], statements: [{ Effect: "Allow", Action: "sagemaker:DeleteEndpoint", Resource: endpoint }] },
        FileSensorS3Policy: {
          roles: [{ Ref: "GetTaskRole" }],
          statements: [
            { Effect: "Allow", Action: "s3:ListBucket", Resource: `arn:aws:s3:::${SENSOR_BUCKET}` },
            { Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${SENSOR_BUCKET}/*` },
          ],
        },
      });
    });

    it("attaches boto's policies to the functions that run a sync connector (executeTaskSync; createTask, for Flyte 2) and no other", () => {
      const managed = Object.fromEntries(operationNames.map((key) => [key, withAwsConnectors.Resources[`${logicalName(key)}Role`]!.Properties["ManagedPolicyArns"]]));
      expect(managed).toEqual(Object.fromEntries(operationNames.map((key) => [key, ["createTask", "executeTaskSync"].includes(key) ? BOTO_POLICIES : undefined])));
    });

    it("grants the SageMaker endpoints in the deployment's own region while sagemakerRegion is unset", () => {
      const resources = Object.values(policies(withConnectorSecrets))
        .flatMap(({ statements }) => statements)
        .filter((statement) => [statement.Action].flat().some((action) => action.startsWith("sagemaker:")))
        .map((statement) => statement.Resource);
      expect(resources).toEqual([
        `arn:aws:sagemaker:us-east-1:123456789012:endpoint/${SAGEMAKER_ENDPOINTS}`,
        "arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/*",
        `arn:aws:sagemaker:us-east-1:123456789012:endpoint/${SAGEMAKER_ENDPOINTS}`,
        `arn:aws:sagemaker:us-east-1:123456789012:endpoint/${SAGEMAKER_ENDPOINTS}`,
      ]);
    });

    it("grants none of it while the parameters are unset", () => {
      expect(policies(deployed)).toEqual({});
      expect(operationNames.map((key) => deployed.Resources[`${logicalName(key)}Role`]!.Properties["ManagedPolicyArns"])).toEqual(operationNames.map(() => undefined));
    });
  });

  it("has no route without IAM authorization, and no route outside the contract but the catch-all", () => {
    const routes = resourcesOfType("AWS::ApiGatewayV2::Route").map(([, route]) => route.Properties);
    expect(routes.filter((route) => route["AuthorizationType"] !== "AWS_IAM")).toEqual([]);
    expect(routes.map((route) => route["RouteKey"]).sort()).toEqual([...Object.values(CONTRACT_ROUTES), ...Object.values(CONTRACT_ROUTES_V2), "$default"].sort());
  });

  it("creates no role beyond the functions' own (no shared execution role)", () => {
    expect(resourcesOfType("AWS::IAM::Role").map(([name]) => name).sort()).toEqual(
      operationNames.map((key) => `${logicalName(key)}Role`).sort(),
    );
  });

  it.each([
    ["off", () => template],
    ["on", () => sealed],
    ["on with a secret", () => sealedBySecret],
    ["off, with connector secrets", () => withConnectorSecrets],
    ["off, with the AWS connectors' grants", () => withAwsConnectors],
  ])("allows no wildcard action or resource anywhere in the template, sealing %s", (_, which) => {
    const allowed: Statement[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(walk);
      if (typeof node !== "object" || node === null) return;
      if ((node as { Effect?: unknown }).Effect === "Allow") allowed.push(node as Statement);
      Object.values(node).forEach(walk);
    };
    walk(which());
    expect(allowed.length).toBeGreaterThan(0);
    expect(allowed.flatMap(({ Action }) => [Action].flat()).filter((action) => action.includes("*"))).toEqual([]);
    expect(allowed.filter(({ Resource }) => JSON.stringify(Resource) === '"*"')).toEqual([]);
  });
});
