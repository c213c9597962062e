/**
 * Every template variant the Python plugins write becomes exactly the runs/submit body its own
 * Python connector submits: each expected body below is worked out by hand from the connector's
 * code (flytekit plugins/flytekit-spark/flytekitplugins/spark/connector.py at v1.16.24 e96c720;
 * flyte-sdk plugins/databricks/src/flyteplugins/databricks/connector.py at 7e2d423), line cited,
 * and compared key order included (JSON.stringify) with what reached the fake.
 */
import { describe, expect, test, vi } from "vitest";
import { Status } from "../../../lib/connector/errors.js";
import type { JsonObject } from "../../../lib/literals/index.js";
import {
  ARGS,
  attempt,
  flytekitCustom,
  flyteSdkCustom,
  IMAGE,
  INSTANCE,
  newClusterConf,
  PAT,
  SPARK_CONF,
  template,
} from "./plugin-templates.js";
import { useDatabricks } from "./harness.js";

const h = useDatabricks();

/** container.env, then flytekit's `envs[FLYTE_FAIL_ON_ERROR] = "true"` (connector.py:231-232). */
const FLYTEKIT_ENVS = { FLYTE_INTERNAL_IMAGE: IMAGE, foo: "bar", FLYTE_FAIL_ON_ERROR: "true" };
/** flyte-sdk reads container.env as is (connector.py:29, 42). */
const FLYTE_SDK_ENVS = { FLYTE_INTERNAL_IMAGE: IMAGE, foo: "bar" };
/** connector.py:173-177. */
const FLYTEKIT_GIT = { git_url: "https://github.com/flyteorg/flytetools", git_provider: "gitHub", git_commit: "572298df1f971fb58c258398bd70a6372f811c96" };
/** flyte-sdk connector.py:52-56. */
const FLYTE_SDK_GIT = { git_url: "https://github.com/flyteorg/flytetools", git_provider: "gitHub", git_commit: "194364210c47c49ce66c419e8fb68d6f9c06fd7e" };

/** Creates the task (one attempt, so the body carries an idempotency token) and answers the body the fake received, without the token. */
async function submitted(type: "spark" | "databricks", custom: JsonObject, options = {}): Promise<{ body: Record<string, unknown>; meta: string }> {
  const { resourceMeta } = await h.service.createTask({ template: template(type, custom), taskExecutionMetadata: attempt(0) }, options);
  const [call] = h.fake.callsTo("POST /api/2.1/jobs/runs/submit");
  const body = JSON.parse(call!.text) as Record<string, unknown>;
  expect(body["idempotency_token"]).toMatch(/^flyte-[A-Za-z0-9_-]+$/);
  delete body["idempotency_token"];
  return { body, meta: new TextDecoder().decode(resourceMeta) };
}

function expectBody(actual: Record<string, unknown>, expected: JsonObject): void {
  expect(actual).toStrictEqual(expected);
  expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
}

describe("flytekit templates (task types spark and databricks)", () => {
  test.each(["spark", "databricks"] as const)("classic, new cluster (%s): image, Spark conf and env on the cluster, the flytetools entrypoint", async (type) => {
    const { body, meta } = await submitted(type, flytekitCustom({ sparkConf: SPARK_CONF, databricksConf: newClusterConf(), databricksInstance: INSTANCE }));
    // _build_python_file_job_spec, classic branch (connector.py:208-225) and _configure_classic_cluster (122-129).
    expectBody(body, {
      run_name: "flytekit databricks plugin example",
      new_cluster: {
        spark_version: "12.2.x-scala2.12",
        node_type_id: "n2-highmem-4",
        num_workers: 1,
        docker_image: { url: IMAGE },
        spark_conf: SPARK_CONF,
        spark_env_vars: FLYTEKIT_ENVS,
      },
      timeout_seconds: 3600,
      max_retries: 1,
      spark_python_task: { python_file: "flytekitplugins/databricks/entrypoint.py", source: "GIT", parameters: ARGS },
      git_source: FLYTEKIT_GIT,
    });
    // What we write is flyte-sdk's meta exactly; flytekit reads it too (auth_token defaults to None).
    expect(meta).toBe(`{"databricks_instance": "${INSTANCE}", "run_id": "${h.fake.lastRun().runId}"}`);
  });

  test("classic, new cluster with its own image, conf and env: kept, the env merged (connector.py:122-129)", async () => {
    const conf = newClusterConf();
    conf["new_cluster"] = {
      spark_version: "13.3.x-scala2.12",
      docker_image: { url: "my/image:1" },
      spark_conf: { "spark.speculation": "true" },
      spark_env_vars: { foo: "mine", EXTRA: "1" },
    };
    const { body } = await submitted("databricks", flytekitCustom({ sparkConf: SPARK_CONF, databricksConf: conf, databricksInstance: INSTANCE }));
    expect(body["new_cluster"]).toStrictEqual({
      spark_version: "13.3.x-scala2.12",
      docker_image: { url: "my/image:1" },
      spark_conf: { "spark.speculation": "true" },
      spark_env_vars: { foo: "bar", EXTRA: "1", FLYTE_INTERNAL_IMAGE: IMAGE, FLYTE_FAIL_ON_ERROR: "true" },
    });
  });

  test("classic, existing cluster: the cluster is left alone (connector.py:114-116)", async () => {
    const { body } = await submitted("databricks", flytekitCustom({ databricksConf: { run_name: "r", existing_cluster_id: "0923-164208-meows279" }, databricksInstance: INSTANCE }));
    expectBody(body, {
      run_name: "r",
      existing_cluster_id: "0923-164208-meows279",
      spark_python_task: { python_file: "flytekitplugins/databricks/entrypoint.py", source: "GIT", parameters: ARGS },
      git_source: FLYTEKIT_GIT,
    });
  });

  test("serverless, a pre-configured environment_key: the environment is defined, the run is one task (connector.py:181-207, 37-101)", async () => {
    const custom = flytekitCustom({ databricksConf: { run_name: "serverless", environment_key: "my-env" }, databricksInstance: INSTANCE, databricksServiceCredentialProvider: "flyte-s3" });
    const { body } = await submitted("databricks", custom);
    expectBody(body, {
      run_name: "serverless",
      environments: [{ environment_key: "my-env", spec: { client: "1", environment_vars: FLYTEKIT_ENVS } }],
      tasks: [
        {
          task_key: "flyte_task",
          spark_python_task: {
            python_file: "flytekitplugins/databricks/entrypoint_serverless.py",
            source: "GIT",
            parameters: [...ARGS, "--flyte-credential-provider=flyte-s3"],
          },
          environment_key: "my-env",
        },
      ],
      git_source: FLYTEKIT_GIT,
    });
  });

  test("serverless, a credential provider that is no string: in the f-string as Python's str() writes it (connector.py's f\"--flyte-credential-provider={provider}\")", async () => {
    const custom = flytekitCustom({ databricksConf: { run_name: "serverless", environment_key: "my-env" }, databricksInstance: INSTANCE, databricksServiceCredentialProvider: "x" });
    (custom as JsonObject)["databricksServiceCredentialProvider"] = { toString: null, on: true };
    const { body } = await submitted("databricks", custom);
    const [task] = (body as { tasks: { spark_python_task: { parameters: string[] } }[] }).tasks;
    expect(task!.spark_python_task.parameters.at(-1)).toBe("--flyte-credential-provider={'toString': None, 'on': True}");
  });

  test("serverless, inline environments, the connector's default credential provider, the task's git_source and python_file", async () => {
    vi.stubEnv("FLYTE_DATABRICKS_SERVICE_CREDENTIAL_PROVIDER", "default-provider");
    const gitSource = { git_url: "https://github.com/me/repo", git_provider: "gitHub", git_branch: "main" };
    const conf: JsonObject = {
      run_name: "inline",
      environments: [{ environment_key: "default", spec: { client: "2", dependencies: ["pandas==2.0.0"], environment_vars: { KEEP: "1", foo: "mine" } } }],
      git_source: gitSource,
      python_file: "my/entry.py",
    };
    const { body } = await submitted("databricks", flytekitCustom({ databricksConf: conf, databricksInstance: INSTANCE }));
    // environment_key defaults to "default" (connector.py:70); env vars merged, Flyte's win (92-95);
    // git_source and python_file popped, git_source set last (221-223).
    expectBody(body, {
      run_name: "inline",
      environments: [{ environment_key: "default", spec: { client: "2", dependencies: ["pandas==2.0.0"], environment_vars: { KEEP: "1", foo: "bar", FLYTE_INTERNAL_IMAGE: IMAGE, FLYTE_FAIL_ON_ERROR: "true" } } }],
      tasks: [
        {
          task_key: "flyte_task",
          spark_python_task: { python_file: "my/entry.py", source: "GIT", parameters: [...ARGS, "--flyte-credential-provider=default-provider"] },
          environment_key: "default",
        },
      ],
      git_source: gitSource,
    });
  });

  test("notebook on a new cluster with parameters and a git_source (connector.py:132-163)", async () => {
    const gitSource = { git_url: "https://github.com/me/notebooks", git_provider: "gitHub", git_tag: "v1" };
    const conf = { ...newClusterConf(), git_source: gitSource };
    const custom = flytekitCustom({ databricksConf: conf, databricksInstance: INSTANCE, notebookPath: "/Users/me@example.com/nb", notebookBaseParameters: { p: "1" } });
    const { body } = await submitted("databricks", custom);
    expectBody(body, {
      run_name: "flytekit databricks plugin example",
      new_cluster: {
        spark_version: "12.2.x-scala2.12",
        node_type_id: "n2-highmem-4",
        num_workers: 1,
        docker_image: { url: IMAGE },
        spark_conf: {},
        spark_env_vars: FLYTEKIT_ENVS,
      },
      timeout_seconds: 3600,
      max_retries: 1,
      notebook_task: { notebook_path: "/Users/me@example.com/nb", base_parameters: { p: "1" }, source: "GIT" },
      git_source: gitSource,
    });
  });

  test("notebook on serverless compute, no git_source: a workspace notebook as one task", async () => {
    const custom = flytekitCustom({ databricksConf: { run_name: "nb", environment_key: "nb-env" }, databricksInstance: INSTANCE, notebookPath: "/Shared/nb" });
    const { body } = await submitted("databricks", custom);
    expectBody(body, {
      run_name: "nb",
      environments: [{ environment_key: "nb-env", spec: { client: "1", environment_vars: FLYTEKIT_ENVS } }],
      tasks: [{ task_key: "flyte_notebook_task", notebook_task: { notebook_path: "/Shared/nb" }, environment_key: "nb-env" }],
    });
  });

  test("the instance from FLYTE_DATABRICKS_INSTANCE when the task names none (connector.py:266-268)", async () => {
    vi.stubEnv("FLYTE_DATABRICKS_INSTANCE", "env-account.cloud.databricks.com");
    const { meta } = await submitted("spark", flytekitCustom({ databricksConf: newClusterConf() }));
    expect(meta).toBe(`{"databricks_instance": "env-account.cloud.databricks.com", "run_id": "${h.fake.lastRun().runId}"}`);
  });
});

describe("flyte-sdk templates (task type databricks)", () => {
  test("classic, new cluster: its own entrypoint and commit, no FLYTE_FAIL_ON_ERROR (connector.py:26-59)", async () => {
    const custom = flyteSdkCustom({ sparkConf: SPARK_CONF, databricksConf: newClusterConf(), databricksInstance: INSTANCE, databricksToken: "DATABRICKS_PAT" });
    const { body, meta } = await submitted("databricks", custom, h.connection({ databricks_token: PAT }));
    expectBody(body, {
      run_name: "flytekit databricks plugin example",
      new_cluster: {
        spark_version: "12.2.x-scala2.12",
        node_type_id: "n2-highmem-4",
        num_workers: 1,
        docker_image: { url: IMAGE },
        spark_conf: SPARK_CONF,
        spark_env_vars: FLYTE_SDK_ENVS,
      },
      timeout_seconds: 3600,
      max_retries: 1,
      spark_python_task: { python_file: "flyteplugins/databricks/entrypoint.py", parameters: ARGS, source: "GIT" },
      git_source: FLYTE_SDK_GIT,
    });
    expect(meta).toBe(`{"databricks_instance": "${INSTANCE}", "run_id": "${h.fake.lastRun().runId}"}`);
  });

  test("classic, existing cluster; a git_source of the task's is replaced, as flyte-sdk does", async () => {
    const conf = { existing_cluster_id: "abc", git_source: { git_url: "https://x", git_provider: "gitHub", git_branch: "b" } };
    const { body } = await submitted("databricks", flyteSdkCustom({ databricksConf: conf, databricksInstance: INSTANCE }), h.connection({ databricks_token: PAT }));
    expectBody(body, {
      existing_cluster_id: "abc",
      git_source: FLYTE_SDK_GIT,
      spark_python_task: { python_file: "flyteplugins/databricks/entrypoint.py", parameters: ARGS, source: "GIT" },
    });
  });
});

describe("templates that cannot make a run", () => {
  test.each([
    ["flytekit, no compute", "spark", flytekitCustom({ databricksConf: { run_name: "x" }, databricksInstance: INSTANCE }), /No compute configuration found in databricks_conf/],
    ["flytekit, a plain Spark task (no databricksConf)", "spark", { mainApplicationFile: "local:///e.py" }, /custom\.databricksConf is missing/],
    ["flytekit, new_cluster not an object", "databricks", flytekitCustom({ databricksConf: { new_cluster: "big" }, databricksInstance: INSTANCE }), /databricks_conf\.new_cluster must be an object/],
    ["flyte-sdk, no cluster", "databricks", flyteSdkCustom({ databricksConf: { environment_key: "e" }, databricksInstance: INSTANCE }), /Either existing_cluster_id or new_cluster must be specified/],
    ["flyte-sdk, no databricksConf", "databricks", flyteSdkCustom({ databricksInstance: INSTANCE }), /Missing Databricks job configuration in task template/],
    ["an instance with a scheme", "databricks", flytekitCustom({ databricksConf: newClusterConf(), databricksInstance: `https://${INSTANCE}` }), /custom\.databricksInstance must be the workspace's host name/],
  ] as const)("%s is INVALID_ARGUMENT, and nothing is submitted", async (_, type, custom, message) => {
    await expect(h.service.createTask({ template: template(type, custom as JsonObject), taskExecutionMetadata: attempt(0) })).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      message: expect.stringMatching(message),
    });
    expect(h.fake.calls).toEqual([]);
  });

  test("no instance in the task nor FLYTE_DATABRICKS_INSTANCE is FAILED_PRECONDITION naming the variable", async () => {
    await expect(h.service.createTask({ template: template("spark", flytekitCustom({ databricksConf: newClusterConf() })) })).rejects.toMatchObject({
      code: Status.FAILED_PRECONDITION,
      message: expect.stringContaining("FLYTE_DATABRICKS_INSTANCE"),
    });
    expect(h.fake.calls).toEqual([]);
  });

  test("a body Databricks refuses (400) is the caller's INVALID_ARGUMENT with Databricks' message", async () => {
    const conf = { ...newClusterConf(), git_source: { git_url: "https://github.com/me/nb", git_provider: "gitHub" } };
    const custom = flytekitCustom({ databricksConf: conf, databricksInstance: INSTANCE, notebookPath: "/nb" });
    await expect(h.service.createTask({ template: template("databricks", custom) })).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      message: "Databricks could not submit the run: HTTP 400: INVALID_PARAMETER_VALUE: git_source needs one of git_branch, git_tag or git_commit.",
    });
  });
});
