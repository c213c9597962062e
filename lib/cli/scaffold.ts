/**
 * The files of a new connector project (`flyte-connector init`): one async connector against a
 * platform's HTTP API, its test on a fake of that platform (the test kit), a registry module, and
 * a serverless.yml deploying the eight functions `flyte-connector build` makes from that registry,
 * which serverless offline also runs locally behind the gRPC front (`npm run start:offline`).
 * An ES module project in TypeScript, type-checked by tsc and tested with `node --test` under tsx:
 * nothing to compile, no test framework to install.
 */
import { operationNames, type OperationName } from "../service/operations.js";
import { PACKAGE_NAME } from "./package-info.js";
import { REGISTRY_MODULE } from "./project-layout.js";

export interface ScaffoldOptions {
  /** The npm package name. */
  readonly name: string;
  /** The serverless service name, serviceNameFrom's (functions are `<service>-<stage>-<op>`). */
  readonly service: string;
  /** How the project depends on this package: a version range, or the tarball it was installed from. */
  readonly dependency: string;
  /** Version ranges of the development tools, as this package uses them. */
  readonly tools: Readonly<Record<"tsx" | "typescript" | "@types/node" | "serverless" | "serverless-offline", string>>;
}

export const TASK_TYPE = "job";
/** What the example connector reads: the jobs API's base URL (env), and its token (a secret). */
export const JOBS_API_URL_ENV = "JOBS_API_URL";
export const JOBS_API_TOKEN_SECRET = "jobs_api_token";

/** Path (relative to the project) → contents. */
export function scaffoldFiles(options: ScaffoldOptions): Record<string, string> {
  return {
    "package.json": `${JSON.stringify(packageJson(options), null, 2)}\n`,
    "tsconfig.json": TSCONFIG,
    ".gitignore": "node_modules/\n.build/\n.serverless/\n",
    "src/connector.ts": CONNECTOR,
    "src/connector.test.ts": CONNECTOR_TEST,
    "src/registry.ts": REGISTRY,
    "serverless.yml": serverlessYml(options.service),
  };
}

/** A valid npm package name from a directory's name, or undefined when nothing usable is left. */
export function packageNameFrom(directoryName: string): string | undefined {
  const name = directoryName
    .toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, "-")
    .replace(/^[._~-]+|-+$/g, "")
    .slice(0, 64);
  return name === "" || name === "node_modules" ? undefined : name;
}

/** The stage serverless.yml deploys by default, whose function names the CLI assumes. */
const STAGE = "dev";
/**
 * The longest name serverless makes of the service's: its role for the functions,
 * `<service>-<stage>-<region>-lambdaRole` (osls lib/plugins/aws/lib/naming.js, getRoleName), held
 * to IAM's 64 characters in any commercial region (the longest region names have 14). Lambda's
 * own limit, 64 for `<service>-<stage>-<operation>`, is ten characters looser.
 */
const NAME_LIMIT = 64;
const LONGEST_REGION = "ap-southeast-2";
const roleName = (service: string) => `${service}-${STAGE}-${LONGEST_REGION}-lambdaRole`;
export const SERVICE_NAME_LIMIT = NAME_LIMIT - roleName("").length;
const SERVICE_NAME_RULE = "serverless takes letters, digits and -, starting with a letter, two characters or more";

export interface ServiceName {
  readonly service: string;
  /** Why serverless or Lambda would refuse it, and a valid name to give instead. */
  readonly problem?: { readonly why: string; readonly suggestion: string };
}

/**
 * The serverless service name made from a project's name: serverless refuses npm's `._~` (and
 * any name not matching ^[a-zA-Z][0-9a-zA-Z-]+$), only after building; IAM, a role name over 64
 * characters (and Lambda a function name over 64). With the problem and a valid name to give
 * instead, when it is not usable.
 */
export function serviceNameFrom(projectName: string): ServiceName {
  const service = projectName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  const why = serviceNameProblem(service);
  return why === undefined ? { service } : { service, problem: { why, suggestion: usableServiceName(service) } };
}

function serviceNameProblem(service: string): string | undefined {
  if (!/^[a-z]/.test(service)) return `does not start with a letter (${SERVICE_NAME_RULE})`;
  if (service.length < 2) return `is a single letter (${SERVICE_NAME_RULE})`;
  const role = roleName(service);
  if (role.length > NAME_LIMIT) {
    return `is too long: its functions' role in a region such as ${LONGEST_REGION}, ${role}, would have ${role.length} characters, over IAM's ${NAME_LIMIT}`;
  }
  return undefined;
}

/** A service name near `service` that has none of serviceNameProblem's problems. */
function usableServiceName(service: string): string {
  const started = /^[a-z]./.test(service) ? service : `connectors-${service}`;
  return started.slice(0, SERVICE_NAME_LIMIT).replace(/-+$/, "");
}

function packageJson({ name, dependency, tools }: ScaffoldOptions) {
  const cli = `flyte-connector`;
  return {
    name,
    version: "0.1.0",
    private: true,
    type: "module",
    scripts: {
      // Type errors first: tsx runs the tests without checking types.
      test: "tsc && node --import tsx --test src/*.test.ts",
      typecheck: "tsc",
      // exec: npm's sh does not pass a SIGTERM on, which would leave the server holding its ports.
      start: `exec ${cli} serve --registry ${REGISTRY_MODULE}`,
      "start:offline": `${cli} build --registry ${REGISTRY_MODULE} && exec ${cli} serve --backend offline`,
      build: `${cli} build --registry ${REGISTRY_MODULE}`,
      package: `${cli} package --registry ${REGISTRY_MODULE}`,
    },
    dependencies: { [PACKAGE_NAME]: dependency },
    devDependencies: {
      "@types/node": tools["@types/node"],
      serverless: tools.serverless,
      "serverless-offline": tools["serverless-offline"],
      tsx: tools.tsx,
      typescript: tools.typescript,
    },
  };
}

const TSCONFIG = `${JSON.stringify(
  {
    compilerOptions: {
      target: "ES2022",
      // Node, not a browser: no DOM types.
      lib: ["ES2022"],
      module: "nodenext",
      types: ["node"],
      strict: true,
      noUncheckedIndexedAccess: true,
      verbatimModuleSyntax: true,
      allowImportingTsExtensions: true,
      noEmit: true,
      skipLibCheck: true,
    },
    include: ["src"],
  },
  null,
  2,
)}\n`;

const CONNECTOR = `/**
 * An async connector: create submits a job to a platform's HTTP API, get polls it, delete cancels
 * it. Replace the API calls with your platform's; keep what the base class asks for.
 */
import { randomUUID } from "node:crypto";
import {
  AsyncConnectorBase,
  FailedPreconditionError,
  Phase,
  PlatformClient,
  Resource,
  clientToken,
  defineResourceMeta,
  executionKey,
  field,
  getSecret,
  type CallContext,
  type GetParams,
  type TaskParams,
} from "${PACKAGE_NAME}";

/** What create hands to get and delete, through Flyte: keep it small, and never a secret. */
export const JobMeta = defineResourceMeta("JobMeta", { job_id: field.string(), api_url: field.string() });
export type JobMeta = InstanceType<typeof JobMeta>;

interface Job {
  readonly id: string;
  readonly state: "QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED";
  readonly rows?: number;
  readonly error?: string;
}

export class JobConnector extends AsyncConnectorBase<JobMeta> {
  constructor() {
    super({ name: "Job Connector", taskTypeName: "${TASK_TYPE}", metadataType: JobMeta });
  }

  /** custom is the task template's custom as plain JSON, inputValues its inputs as plain values. */
  async create(params: TaskParams): Promise<JobMeta> {
    const apiUrl = process.env.${JOBS_API_URL_ENV};
    if (!apiUrl) throw new FailedPreconditionError("${JOBS_API_URL_ENV} is not set: the base URL of the jobs API.");
    // One job per attempt: the same attempt's CreateTask again (a retry, a FlytePropeller restart)
    // sends the same key, and the API answers the job it started. A run by hand has no attempt.
    const key = executionKey(params.taskExecutionMetadata);
    const idempotencyKey = key === undefined ? randomUUID() : clientToken(key, { maxLength: 64 });
    const { body } = await (await client(apiUrl, params)).request<Job>(
      {
        method: "POST",
        path: "/jobs",
        headers: { "idempotency-key": idempotencyKey },
        json: { query: params.custom.query, inputs: params.inputValues },
        // With its key, a submit is safe to send again.
        retry: true,
        action: "submit the job",
      },
      params,
    );
    return new JobMeta({ job_id: body.id, api_url: apiUrl });
  }

  async get(meta: JobMeta, params: GetParams): Promise<Resource> {
    const { body: job } = await (await client(meta.api_url, params)).request<Job>({ path: \`/jobs/\${meta.job_id}\`, action: "read the job" }, params);
    switch (job.state) {
      case "SUCCEEDED":
        return new Resource({ phase: Phase.SUCCEEDED, outputs: { rows: job.rows ?? 0 } });
      case "FAILED":
        return new Resource({ phase: Phase.FAILED, message: job.error ?? "the job failed" });
      default:
        return new Resource({ phase: job.state === "QUEUED" ? Phase.QUEUED : Phase.RUNNING, message: job.state });
    }
  }

  /** Idempotent: a job already gone (404) is cancelled. */
  async delete(meta: JobMeta, params: CallContext): Promise<void> {
    await (await client(meta.api_url, params)).request({ method: "DELETE", path: \`/jobs/\${meta.job_id}\`, accept: [404], action: "cancel the job" }, params);
  }
}

/** The API's client; its token is a secret (Flyte 2's connection, the environment, or a secret store). */
async function client(baseUrl: string, context: CallContext): Promise<PlatformClient> {
  const token = await getSecret("${JOBS_API_TOKEN_SECRET}", context);
  return new PlatformClient({ platform: "Jobs API", baseUrl, auth: () => ({ authorization: \`Bearer \${token}\` }) });
}
`;

const CONNECTOR_TEST = `/** The connector against a fake of its platform: an HTTP server on loopback, with faults on demand. */
import assert from "node:assert/strict";
import { after, before, beforeEach, test } from "node:test";
import { Phase } from "${PACKAGE_NAME}";
import { PlatformFake, TaskRunFailedError, executionMetadata, runConnector, taskTemplate } from "${PACKAGE_NAME}/testing";
import { JobConnector } from "./connector.ts";

/** The jobs API, as far as the connector uses it: each job finishes when the test says so. */
class JobsApi extends PlatformFake {
  readonly jobs = new Map<string, { state: string; rows?: number; error?: string }>();
  /** Idempotency key → the job it started. */
  readonly keys = new Map<string, string>();
  constructor() {
    super();
    this.route("POST", "/jobs", ({ headers }) => {
      const key = headers["idempotency-key"]?.toString();
      const known = key && this.keys.get(key);
      if (known) return { json: { id: known, ...this.jobs.get(known) } };
      const id = \`job-\${this.jobs.size + 1}\`;
      this.jobs.set(id, { state: "RUNNING" });
      if (key) this.keys.set(key, id);
      return { json: { id, state: "RUNNING" } };
    });
    this.route("GET", "/jobs/{id}", ({ params }) => {
      const job = this.jobs.get(params.id);
      return job ? { json: { id: params.id, ...job } } : this.error(404, "no such job");
    });
    this.route("DELETE", "/jobs/{id}", ({ params }) => (this.jobs.delete(params.id) ? { status: 204 } : this.error(404, "no such job")));
  }
}

const api = new JobsApi();
const connection = { secrets: { jobs_api_token: "test-token" }, configs: {} };
const template = taskTemplate({ type: "${TASK_TYPE}", custom: { query: "SELECT 1" }, inputs: { day: "string" }, outputs: { rows: "integer" } });

before(async () => {
  await api.start();
  process.env.JOBS_API_URL = api.url;
});
after(() => api.stop());
beforeEach(() => {
  api.reset();
  api.jobs.clear();
  api.keys.clear();
});

test("create, then get until the job succeeds: its outputs as plain values", async () => {
  const result = await runConnector(new JobConnector(), {
    template,
    inputs: { day: "2024-01-01" },
    connection,
    // Before each poll after the first: the job finishes at the second.
    beforePoll: (poll) => {
      if (poll === 2) api.jobs.set("job-1", { state: "SUCCEEDED", rows: 42 });
    },
  });
  assert.equal(result.phase, Phase.SUCCEEDED);
  assert.deepEqual(result.outputs, { rows: 42 });
  assert.deepEqual(api.callsTo("POST /jobs")[0]?.json, { query: "SELECT 1", inputs: { day: "2024-01-01" } });
  assert.equal(api.callsTo("POST /jobs")[0]?.headers.authorization, "Bearer test-token");
});

test("the same attempt run twice starts one job: its CreateTask sends the same idempotency key", async () => {
  const attempt = { template, connection, taskExecutionMetadata: executionMetadata({ execution: "run-1" }) };
  const finish = () => void api.jobs.set("job-1", { state: "SUCCEEDED", rows: 7 });
  await runConnector(new JobConnector(), { ...attempt, beforePoll: finish });
  const again = await runConnector(new JobConnector(), attempt);
  assert.deepEqual(again.outputs, { rows: 7 });
  assert.equal(api.jobs.size, 1);
  const [first, second] = api.callsTo("POST /jobs").map((call) => call.headers["idempotency-key"]);
  assert.equal(second, first);
  // The next attempt is another job.
  await runConnector(new JobConnector(), { template, connection, taskExecutionMetadata: executionMetadata({ execution: "run-1", retryAttempt: 1 }), beforePoll: () => void api.jobs.set("job-2", { state: "SUCCEEDED" }) });
  assert.equal(api.jobs.size, 2);
});

test("a job that fails is a FAILED task with the platform's message", async () => {
  const run = runConnector(new JobConnector(), {
    template,
    connection,
    beforePoll: () => void api.jobs.set("job-1", { state: "FAILED", error: "table not found" }),
  });
  await assert.rejects(run, (error) => error instanceof TaskRunFailedError && error.phase === Phase.FAILED && error.taskMessage === "table not found");
});

test("a poll the platform throttles once is retried", async () => {
  api.fault({ route: "GET /jobs", status: 503 });
  const result = await runConnector(new JobConnector(), {
    template,
    connection,
    beforePoll: () => void api.jobs.set("job-1", { state: "SUCCEEDED", rows: 1 }),
  });
  assert.deepEqual(result.outputs, { rows: 1 });
  assert.equal(api.callsTo("GET /jobs/job-1").filter((call) => call.status === 503).length, 1);
});
`;

const REGISTRY = `/**
 * The connectors this project deploys (flyte-connector build --registry ${REGISTRY_MODULE}). Each
 * is an entry, loaded on its first use from a chunk of its own: listAgents and getAgent never load
 * one. The loaded connector must have the name, task type and kind its entry gives.
 */
import { ConnectorRegistry } from "${PACKAGE_NAME}";

export const registry = new ConnectorRegistry().registerLazy({
  name: "Job Connector",
  taskTypeName: "${TASK_TYPE}",
  isSync: false,
  load: () => import("./connector.ts").then((m) => new m.JobConnector()),
});
`;

/** Each function's HTTP routes (docs/CONTRACT.md §3, and §7 for Flyte 2) and its settings beside the defaults. */
const FUNCTIONS: Readonly<Record<OperationName, { readonly routes: readonly string[]; readonly settings?: string }>> = {
  createTask: { routes: ["POST /api/v1/agent/task", "POST /api/v1/connector/task"] },
  getTask: { routes: ["GET /api/v1/agent/task/{name}/{version}/{resource_meta}", "GET /api/v1/connector/task/{name}/{version}/{resource_meta}"] },
  deleteTask: {
    routes: ["DELETE /api/v1/agent/task_executions/{name}/{version}/{resource_meta}", "DELETE /api/v1/connector/task_executions/{name}/{version}/{resource_meta}"],
  },
  getTaskMetrics: {
    routes: ["GET /api/v1/agent/task/metrics/{name}/{version}/{resource_meta}", "GET /api/v1/connector/task/metrics/{name}/{version}/{resource_meta}"],
  },
  getTaskLogs: {
    routes: ["GET /api/v1/agent/task/logs/{name}/{version}/{resource_meta}", "GET /api/v1/connector/task/logs/{name}/{version}/{resource_meta}"],
  },
  executeTaskSync: {
    routes: ["POST /api/v1/agent/task/stream"],
    settings: "    # A sync connector does the whole task in the call: the most API Gateway's 30 s allows.\n    timeout: 29\n",
  },
  getAgent: {
    routes: ["GET /api/v1/agent/{name}", "GET /api/v1/connector/{name}"],
    settings: "    # Metadata only: no connector code runs.\n    memorySize: 256\n    timeout: 5\n",
  },
  listAgents: {
    // The catch-all answers other paths with the contract's 404 or 405 instead of API Gateway's own.
    routes: ["GET /api/v1/agents", "GET /api/v1/connectors", "* *"],
    settings: "    memorySize: 256\n    timeout: 5\n",
  },
};

function serverlessYml(service: string): string {
  const functions = operationNames
    .map((key) => {
      const { routes, settings = "" } = FUNCTIONS[key];
      const events = routes.map((route) => {
        const [method, path] = route.split(" ") as [string, string];
        const quote = (text: string) => (/[*{]/.test(text) ? JSON.stringify(text) : text);
        return `      - httpApi: { method: ${quote(method)}, path: ${quote(path)}, authorizer: { type: aws_iam } }\n`;
      });
      return `  ${key}:\n    handler: index.handler\n    package: { artifact: .build/${key}.zip }\n${settings}    events:\n${events.join("")}`;
    })
    .join("\n");
  return `# The connectors of src/registry.ts as eight Lambda functions, one per operation of Flyte's
# connector service, each reachable by Lambda Invoke (the gRPC front, flyte-connector serve
# --backend lambda) and by its HTTP route with IAM authorization.
#
#   npm run build                     .build/<function>.zip (flyte-connector build); add
#                                     -- --source-maps for stack traces that name src/
#   npm run start:offline             build, then the functions under serverless offline behind
#                                     the gRPC front (flyte-connector serve --backend offline)
#   npm run package                   build, then the CloudFormation template in .serverless/
#   npx serverless deploy --stage prod
#
# Functions are named ${service}-<stage>-<operation>: in this directory the gRPC front and the
# CLI default to stage dev's; otherwise give them --function-prefix ${service}-<stage>-.
service: ${service}
frameworkVersion: "4"

params:
  default:
    # The jobs API the example connector calls (src/connector.ts): JOBS_API_URL of the shell
    # that deploys or runs serverless offline, else this.
    jobsApiUrl: \${env:JOBS_API_URL, "https://jobs.example.com"}
    # Secrets, deployed (src/connector.ts reads jobs_api_token): the full ARN, as IAM names it, of
    # a Secrets Manager secret holding a JSON object of secrets by name, {"jobs_api_token": "..."}.
    # The functions read it (FLYTE_CONNECTOR_SECRETS_ID) and may read only it; empty, neither.
    # With a customer managed KMS key, give its ARN too. At deploy:
    #   npx serverless deploy --stage prod --param "connectorSecrets=arn:aws:secretsmanager:..."
    connectorSecrets: ""
    connectorSecretsKmsKeyArn: ""

provider:
  name: aws
  runtime: nodejs22.x
  architecture: arm64
  stage: \${opt:stage, '${STAGE}'}
  region: \${opt:region, 'us-east-1'}
  # FlytePropeller's own deadlines are 3 s to 10 s: the functions answer DEADLINE_EXCEEDED
  # themselves a margin before their timeout.
  memorySize: 512
  timeout: 10
  logRetentionInDays: 14
  httpApi:
    payload: "2.0"
  environment:
    JOBS_API_URL: \${param:jobsApiUrl}
    FLYTE_CONNECTOR_SECRETS_ID: \${param:connectorSecrets}
    # The service its log lines and failure metrics name (Powertools' variable).
    POWERTOOLS_SERVICE_NAME: \${self:service}
    # --enable-source-maps when built with --source-maps (npm run build -- --source-maps), so
    # that stack traces in the logs name src/; else empty.
    NODE_OPTIONS: \${file(./.build/function-environment.json):NODE_OPTIONS, ''}

package:
  individually: true

plugins:
  - serverless-offline

custom:
  serverless-offline:
    httpPort: 3000
    lambdaPort: 3002
    # serverless offline cannot check IAM signatures, and mistakes \`type: aws_iam\` on an httpApi
    # route for a JWT authorizer; locally, routes are open.
    noAuth: true
    # The functions see the shell's environment, as \`npm start\` does: settings and secrets
    # (JOBS_API_TOKEN=... npm run start:offline) need no edit of this file.
    localEnvironment: true

functions:
${functions}
# The functions' role (serverless's default, shared by the eight) may read exactly the
# connectorSecrets secret, and decrypt with connectorSecretsKmsKeyArn only through Secrets
# Manager; nothing while it is empty. A connector that calls AWS itself adds its own actions, on
# its own resources, here.
resources:
  Conditions:
    ConnectorSecrets: !Not [!Equals ["\${param:connectorSecrets}", ""]]
    ConnectorSecretsKmsKey: !And [!Condition ConnectorSecrets, !Not [!Equals ["\${param:connectorSecretsKmsKeyArn}", ""]]]
  Resources:
    ConnectorSecretsPolicy:
      Type: AWS::IAM::Policy
      Condition: ConnectorSecrets
      Properties:
        PolicyName: connector-secrets
        Roles: [!Ref IamRoleLambdaExecution]
        PolicyDocument:
          Version: "2012-10-17"
          Statement:
            - { Effect: Allow, Action: secretsmanager:GetSecretValue, Resource: "\${param:connectorSecrets}" }
            - !If
              - ConnectorSecretsKmsKey
              - Effect: Allow
                Action: kms:Decrypt
                Resource: "\${param:connectorSecretsKmsKeyArn}"
                Condition:
                  StringEquals:
                    "kms:ViaService": !Sub "secretsmanager.\${AWS::Region}.amazonaws.com"
              - !Ref AWS::NoValue
`;
}
