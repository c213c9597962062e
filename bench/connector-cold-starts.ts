/**
 * The connectors whose first call the cold-start suite measures, one line each: a fresh function
 * process answers the call that loads the connector (createTask for an async connector,
 * executeTaskSync for a sync one), against the platform's fake where it calls one, reached
 * through the base-URL override its environment gives (docs/CONTRACT.md §8). Each real
 * connector's request carries its plugin's template, built by its tests' builders, and the
 * credentials the fake accepts come from the environment, as a deployed function's would.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { toLiteralMap } from "../lib/literals/index.js";
import { taskTemplate } from "../lib/testing/index.js";
import { PlatformFake } from "../lib/testing/platform-fake.js";
import { S3Fake, SageMakerFake } from "../test/connectors/aws/fake.js";
import { flytekitTemplate as bigQueryTemplate, inputMap, literal, types } from "../test/connectors/bigquery/templates.js";
import { BigQueryFake } from "../test/connectors/bigquery/fake.js";
import { serviceAccountKey } from "../test/connectors/bigquery/service-account.js";
import { DatabricksFake } from "../test/connectors/databricks/fake.js";
import { flytekitCustom, INSTANCE, newClusterConf, PAT, template as databricksTemplate } from "../test/connectors/databricks/plugin-templates.js";
import { OpenAIFake } from "../test/connectors/openai/fake.js";
import { batchTemplate, chatgptTemplate, stringInputs } from "../test/connectors/openai/templates.js";
import { FakeSnowflake } from "../test/connectors/snowflake/fake.js";
import { flytekitTemplate as snowflakeTemplate, makeKeys, SUBJECT } from "../test/connectors/snowflake/support.js";
import { createTaskRequest, createTaskRequestOf, executeTaskSyncRequests, executeTaskSyncRequestsOf } from "./messages.js";

export interface ConnectorColdStart {
  /** The connector's task type. */
  readonly connector: string;
  /** The call that loads it. */
  readonly op: "createTask" | "executeTaskSync";
  /** The platform's fake, started before the runs and stopped after them. */
  readonly fake?: () => PlatformFake;
  /** Added to the function's environment (the fake's URL, credentials the fake accepts). */
  readonly env?: (fake: PlatformFake) => Readonly<Record<string, string>>;
  /** The call's request message(s), as FlytePropeller sends them. */
  readonly requests: (fake: PlatformFake | undefined) => Uint8Array[];
  /**
   * The platform's own library the connector loads (its API client): the suite also times the
   * floor plus that library's bare load (as the connector loads it), so the report tells the library's share from ours.
   */
  readonly library?: string;
}

/** What a webhook task calls: any POST to /hook answers 200 with a small JSON body. */
class WebhookReceiver extends PlatformFake {
  constructor() {
    super();
    this.route("POST", "/hook", () => ({ json: { received: true } }));
  }
}

/** The function role's credentials as the Lambda runtime sets them, and only the per-service endpoint of the fake. */
function awsEnvironment(endpoints: Readonly<Record<string, string>>): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
    AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    AWS_SESSION_TOKEN: "bench-session-token",
    ...endpoints,
  };
}

/** A BigQuery fake that trusts one service-account key, whose file ADC reads. */
class BigQueryWithKey extends BigQueryFake {
  readonly keyFile: string;
  constructor() {
    super();
    const key = serviceAccountKey("bench-key");
    this.addServiceAccount(key.keyId, key.email, key.publicKey);
    this.keyFile = join(mkdtempSync(join(tmpdir(), "bench-bigquery-")), "key.json");
    writeFileSync(this.keyFile, key.json);
  }

  override async stop(): Promise<void> {
    await super.stop();
    rmSync(dirname(this.keyFile), { recursive: true, force: true });
  }
}

/** A Snowflake account that trusts one user's key, which the function reads from `_FSEC_SNOWFLAKE_PRIVATE_KEY`. */
class SnowflakeWithKey extends FakeSnowflake {
  readonly privateKeyPem: string;
  constructor() {
    super();
    const keys = makeKeys();
    this.trust(SUBJECT, keys.publicKey);
    this.privateKeyPem = keys.pem;
  }
}

class DatabricksWithToken extends DatabricksFake {
  constructor() {
    super();
    this.tokens.add(PAT);
  }
}

const SAGEMAKER_ENDPOINT = taskTemplate({
  type: "sagemaker-endpoint",
  custom: { config: { EndpointName: "xgboost-{inputs.idempotence_token}", EndpointConfigName: "{inputs.endpoint_config_name}" }, region: "us-east-2" },
  inputs: { endpoint_config_name: "string", idempotence_token: "string" },
  outputs: { result: "struct" },
});

const FILE_SENSOR = taskTemplate({
  type: "sensor",
  custom: { sensor_module: "flytekit.sensor.file_sensor", sensor_name: "FileSensor", sensor_config: null, inputs: null },
  inputs: { path: "string" },
});

const BOTO = taskTemplate({
  type: "boto",
  custom: { service: "sagemaker", config: {}, region: "us-east-1", method: "list_endpoints", images: null },
  outputs: { result: "struct", idempotence_token: "string" },
});

const SNOWFLAKE = snowflakeTemplate({ sql: "SELECT * FROM orders WHERE region = %(region)s", inputs: { region: "string" } });

const variablesOf = (template: { interface?: { inputs?: { variables?: object | null } | null } | null }) =>
  template.interface!.inputs!.variables as Parameters<typeof toLiteralMap>[1];

export const CONNECTOR_COLD_STARTS: readonly ConnectorColdStart[] = [
  { connector: "sleep", op: "createTask", requests: () => [createTaskRequest("sleep")] },
  { connector: "echo", op: "executeTaskSync", requests: () => executeTaskSyncRequests("echo") },
  {
    connector: "webhook",
    op: "executeTaskSync",
    fake: () => new WebhookReceiver(),
    // flytekit's WebhookTask custom (flytekit/extras/webhook/task.py).
    requests: (fake) => executeTaskSyncRequests("webhook", { url: `${fake!.url}/hook`, method: "POST", headers: {}, data: { run: "{inputs.name}" }, show_data: false, show_url: false, timeout_sec: 10 }),
  },
  {
    connector: "databricks",
    op: "createTask",
    fake: () => new DatabricksWithToken(),
    env: (fake) => ({ FLYTE_DATABRICKS_ENDPOINT: fake.url, FLYTE_DATABRICKS_ACCESS_TOKEN: PAT }),
    requests: () => [createTaskRequestOf(databricksTemplate("databricks", flytekitCustom({ databricksConf: newClusterConf(), databricksInstance: INSTANCE })))],
  },
  {
    connector: "bigquery_query_job_task",
    op: "createTask",
    fake: () => new BigQueryWithKey(),
    library: "google-auth-library",
    env: (fake) => ({ FLYTE_BIGQUERY_ENDPOINT: fake.url, GOOGLE_APPLICATION_CREDENTIALS: (fake as BigQueryWithKey).keyFile }),
    requests: () => [
      createTaskRequestOf(
        bigQueryTemplate({ query: "SELECT * FROM `bigquery-public-data.crypto_dogecoin.transactions` WHERE version = @version LIMIT 10;", projectId: "dummy-project", location: "us-central1", inputs: { version: types.integer } }),
        inputMap({ version: literal.integer(1) }),
      ),
    ],
  },
  {
    connector: "snowflake",
    op: "createTask",
    fake: () => new SnowflakeWithKey(),
    env: (fake) => ({ FLYTE_SNOWFLAKE_ENDPOINT: fake.url, _FSEC_SNOWFLAKE_PRIVATE_KEY: (fake as SnowflakeWithKey).privateKeyPem }),
    requests: () => [createTaskRequestOf(SNOWFLAKE, toLiteralMap({ region: "eu" }, variablesOf(SNOWFLAKE), "input"))],
  },
  {
    connector: "chatgpt",
    op: "executeTaskSync",
    fake: () => new OpenAIFake(),
    env: (fake) => ({ OPENAI_BASE_URL: (fake as OpenAIFake).baseUrl, _FSEC_FLYTE_OPENAI_API_KEY: (fake as OpenAIFake).apiKey }),
    library: "openai",
    requests: () => executeTaskSyncRequestsOf(chatgptTemplate({ model: "gpt-3.5-turbo", temperature: 0.7 }), stringInputs({ message: "hi" })),
  },
  {
    connector: "openai-batch",
    op: "createTask",
    fake: () => new OpenAIFake(),
    env: (fake) => ({ OPENAI_BASE_URL: (fake as OpenAIFake).baseUrl, _FSEC_FLYTE_OPENAI_API_KEY: (fake as OpenAIFake).apiKey }),
    library: "openai",
    requests: () => [createTaskRequestOf(batchTemplate({ metadata: { batch_description: "Nightly eval job" } }), stringInputs({ input_file_id: "file-abc123" }))],
  },
  {
    connector: "boto",
    op: "executeTaskSync",
    fake: () => new SageMakerFake(),
    env: (fake) => awsEnvironment({ AWS_ENDPOINT_URL_SAGEMAKER: fake.url }),
    library: "@aws-sdk/client-sagemaker",
    requests: () => executeTaskSyncRequestsOf(BOTO),
  },
  {
    connector: "sagemaker-endpoint",
    op: "createTask",
    fake: () => new SageMakerFake(),
    env: (fake) => awsEnvironment({ AWS_ENDPOINT_URL_SAGEMAKER: fake.url }),
    library: "@aws-sdk/client-sagemaker",
    requests: () => [createTaskRequestOf(SAGEMAKER_ENDPOINT, toLiteralMap({ endpoint_config_name: "xgboost-config", idempotence_token: "432aa64034f37edb" }, variablesOf(SAGEMAKER_ENDPOINT), "input"))],
  },
  {
    connector: "sensor",
    op: "createTask",
    fake: () => new S3Fake().put("data", "in/ready.csv"),
    env: (fake) => awsEnvironment({ AWS_ENDPOINT_URL_S3: fake.url }),
    requests: () => [createTaskRequestOf(FILE_SENSOR, toLiteralMap({ path: "s3://data/in/ready.csv" }, variablesOf(FILE_SENSOR), "input"))],
  },
];
