/**
 * The boto connector against the SageMaker and S3 fakes. Templates as BotoTask.get_custom writes
 * them: {"service", "config", "region", "method", "images"} (flytekitplugins/awssagemaker_inference/
 * boto3_task.py:53-59, flytekit v1.16.24 e96c720), with the service and method the plugin's task
 * classes set (task.py: SageMakerModelTask create_model, SageMakerEndpointConfigTask
 * create_endpoint_config). Outputs are `result` (dict) and `idempotence_token` (str)
 * (boto3_task.py:37).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { InvalidArgumentError, UnavailableError } from "../../../lib/connector/errors.js";
import { Phase } from "../../../lib/connector/phase.js";
import { BotoConnector } from "../../../lib/connectors/aws/boto.js";
import { flyteidl } from "../../../lib/idl/index.js";
import { literalMapToPlain } from "../../../lib/literals/index.js";
import { runConnector, TaskRunFailedError, taskTemplate, type TypeSpec } from "../../../lib/testing/index.js";
import { stubAwsEnv } from "./aws-env.js";
import { ACCOUNT, S3Fake, SageMakerFake } from "./fake.js";
import { taskParams } from "../../../lib/connector/task-params.js";

const sagemaker = new SageMakerFake();
const s3 = new S3Fake();
const connector = new BotoConnector();

beforeAll(async () => {
  await Promise.all([sagemaker.start(), s3.start()]);
});
afterAll(async () => {
  await Promise.all([sagemaker.stop(), s3.stop()]);
});
beforeEach(() => {
  sagemaker.reset();
  sagemaker.models.clear();
  sagemaker.endpointConfigs.clear();
  sagemaker.endpoints.clear();
  s3.reset();
  s3.buckets.clear();
  s3.regions.clear();
  stubAwsEnv({ AWS_ENDPOINT_URL_SAGEMAKER: sagemaker.url, AWS_ENDPOINT_URL_S3: s3.url });
});
afterEach(() => {
  vi.unstubAllEnvs();
});

interface BotoSpec {
  readonly service: string;
  readonly method: string;
  readonly config: Record<string, unknown>;
  readonly region?: string | null;
  readonly images?: Record<string, string> | null;
  readonly inputs?: Readonly<Record<string, TypeSpec>>;
}

/** BotoTask.get_custom's dict, and the interface BotoTask declares. */
function botoTemplate(spec: BotoSpec): flyteidl.core.TaskTemplate {
  return taskTemplate({
    type: "boto",
    custom: { service: spec.service, config: spec.config, region: spec.region ?? null, method: spec.method, images: spec.images ?? null } as never,
    inputs: spec.inputs ?? {},
    outputs: { result: "struct", idempotence_token: "string" },
  });
}

const params = (template: flyteidl.core.TaskTemplate, inputs?: flyteidl.core.ILiteralMap) =>
  taskParams({
    signal: new AbortController().signal,
    taskTemplate: template,
    inputs: inputs ?? null,
    outputPrefix: "s3://bucket/outputs",
  });

/** The model config of test_boto3_mixin.py:128-164, with the plugin's triton_image_uri("21.08"). */
const modelTask = botoTemplate({
  service: "sagemaker",
  method: "create_model",
  config: { ModelName: "{inputs.model_name}-{idempotence_token}", PrimaryContainer: { Image: "{images.image}", ModelDataUrl: "s3://sagemaker-connector-xgboost/model.tar.gz" } },
  images: { image: "{account_id}.dkr.ecr.{region}.{base}/sagemaker-tritonserver:21.08-py3" },
  inputs: { model_name: "string", region: "string" },
});

describe("boto", () => {
  it("creates a SageMaker model: the plugin's name and token, and only the ARN as result", async () => {
    const result = await runConnector(connector, { template: modelTask, inputs: { model_name: "xgboost", region: "us-west-2" } });
    expect(sagemaker.operations).toEqual(["CreateModel"]);
    const body = sagemaker.calls[0]!.json as Record<string, unknown>;
    expect(body["ModelName"]).toBe("xgboost-2de338ec95ee0da6");
    expect(body["PrimaryContainer"]).toEqual({ Image: "301217895009.dkr.ecr.us-west-2.amazonaws.com/sagemaker-tritonserver:21.08-py3", ModelDataUrl: "s3://sagemaker-connector-xgboost/model.tar.gz" });
    expect(sagemaker.calls[0]!.headers["authorization"]).toContain("/us-west-2/sagemaker/aws4_request");
    expect(result.outputs).toEqual({ result: { ModelArn: `arn:aws:sagemaker:us-west-2:${ACCOUNT}:model/xgboost-2de338ec95ee0da6` }, idempotence_token: "2de338ec95ee0da6" });
  });

  it("answers flytekit's literals: result a msgpack dict, idempotence_token a string", async () => {
    const resource = await connector.do(params(modelTask, flyteidl.core.LiteralMap.fromObject({ literals: { model_name: { scalar: { primitive: { stringValue: "xgboost" } } }, region: { scalar: { primitive: { stringValue: "us-west-2" } } } } })));
    expect(resource.phase).toBe(Phase.SUCCEEDED);
    const literals = (resource.outputs as flyteidl.core.ILiteralMap).literals!;
    expect(literals["result"]!.scalar!.binary!.tag).toBe("msgpack");
    expect(literals["idempotence_token"]!.scalar!.primitive!.stringValue).toBe("2de338ec95ee0da6");
  });

  it("counts SageMaker's 'Cannot create already existing' as success, with the ARN (boto3_connector.py:75-93)", async () => {
    const template = botoTemplate({ service: "sagemaker", method: "create_endpoint_config", region: "us-east-2", config: { EndpointConfigName: "cfg", ProductionVariants: [{ VariantName: "v", ModelName: "m", InitialInstanceCount: 1, InstanceType: "ml.m4.xlarge" }] } });
    const first = await runConnector(connector, { template });
    const second = await runConnector(connector, { template });
    expect(sagemaker.calls.map((call) => call.status)).toEqual([200, 400]);
    expect(second.outputs).toEqual(first.outputs);
    expect(second.outputs).toEqual({ result: { EndpointConfigArn: `arn:aws:sagemaker:us-east-2:${ACCOUNT}:endpoint-config/cfg` }, idempotence_token: "" });
    // Integral numbers are sent as ints (boto3_connector.py:23-32).
    expect((sagemaker.calls[0]!.json as { ProductionVariants: unknown[] }).ProductionVariants[0]).toEqual({ VariantName: "v", ModelName: "m", InitialInstanceCount: 1, InstanceType: "ml.m4.xlarge" });
  });

  it("answers the ARN of an entity that already exists in China's partition too (arn:aws-cn:, where boto3_connector.py's pattern finds none)", async () => {
    const template = botoTemplate({ service: "sagemaker", method: "create_model", region: "cn-north-1", config: { ModelName: "m", ExecutionRoleArn: "arn:aws-cn:iam::1:role/r" } });
    const first = await runConnector(connector, { template });
    const second = await runConnector(connector, { template });
    expect(sagemaker.calls.map((call) => call.status)).toEqual([200, 400]);
    expect(second.outputs).toEqual({ result: { ModelArn: `arn:aws-cn:sagemaker:cn-north-1:${ACCOUNT}:model/m` }, idempotence_token: "" });
    expect(second.outputs).toEqual(first.outputs);
  });

  it("answers any other method's response as boto3 does: ResponseMetadata for $metadata, datetimes as isoformat", async () => {
    await runConnector(connector, { template: botoTemplate({ service: "sagemaker", method: "create_endpoint", region: "us-east-1", config: { EndpointName: "ep", EndpointConfigName: "cfg" } }) });
    const result = await runConnector(connector, { template: botoTemplate({ service: "sagemaker", method: "list_endpoints", region: "us-east-1", config: {} }) });
    expect(result.outputs!["idempotence_token"]).toBe("");
    expect(result.outputs!["result"]).toEqual({
      Endpoints: [
        {
          EndpointName: "ep",
          EndpointArn: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:endpoint/ep`,
          CreationTime: "2024-01-31T16:44:06.553000+00:00",
          LastModifiedTime: "2024-01-31T16:44:06.553000+00:00",
          EndpointStatus: "Creating",
        },
      ],
      ResponseMetadata: {
        RequestId: "11111111-2222-3333-4444-555555555555",
        HTTPStatusCode: 200,
        HTTPHeaders: expect.objectContaining({ "x-amzn-requestid": "11111111-2222-3333-4444-555555555555", "content-type": "application/x-amz-json-1.1" }),
        RetryAttempts: 0,
      },
    });
  });

  it("converts timestamps and blobs as botocore does: ISO text or epoch seconds to a date, text to bytes", async () => {
    await runConnector(connector, {
      template: botoTemplate({ service: "sagemaker", method: "list_endpoints", region: "us-east-1", config: { CreationTimeAfter: "2024-01-31T00:00:00Z", CreationTimeBefore: 1706745600, NameContains: "2024-01-31T00:00:00Z" } }),
    });
    // AWS JSON 1.1 sends timestamps as epoch seconds.
    expect(sagemaker.calls[0]!.json).toEqual({ CreationTimeAfter: 1706659200, CreationTimeBefore: 1706745600, NameContains: "2024-01-31T00:00:00Z" });
  });

  it("calls S3 REST-XML commands, matching acronyms and digits (list_objects_v2, get_object)", async () => {
    s3.put("data", "in/a.csv", "a,b\n1,2\n").put("data", "in/b.csv", "x");
    const listed = await runConnector(connector, { template: botoTemplate({ service: "s3", method: "list_objects_v2", region: "us-east-1", config: { Bucket: "data", Prefix: "in/" } }) });
    const result = listed.outputs!["result"] as { Contents: Array<{ Key: string; LastModified: string }>; KeyCount: number };
    expect(result.Contents.map((item) => item.Key)).toEqual(["in/a.csv", "in/b.csv"]);
    expect(result.Contents[0]!.LastModified).toBe("2024-01-31T16:44:06+00:00");
    const got = await runConnector(connector, { template: botoTemplate({ service: "s3", method: "get_object", region: "us-east-1", config: { Bucket: "data", Key: "in/a.csv" } }) });
    expect(Buffer.from((got.outputs!["result"] as { Body: Uint8Array }).Body).toString()).toBe("a,b\n1,2\n");
    expect(s3.calls.map((call) => `${call.method} ${call.path}`)).toEqual(["GET /data/", "GET /data/in/a.csv"]);
  });

  it("reads a streamed body whole, past what one socket read holds; one over 4 MB fails the task", async () => {
    const large = "0123456789abcdef".repeat(64 * 1024); // 1 MiB
    s3.put("data", "large", large).put("data", "huge", large.repeat(5));
    const got = await runConnector(connector, { template: botoTemplate({ service: "s3", method: "get_object", region: "us-east-1", config: { Bucket: "data", Key: "large" } }) });
    expect(Buffer.from((got.outputs!["result"] as { Body: Uint8Array }).Body).toString()).toBe(large);
    const error = await runConnector(connector, { template: botoTemplate({ service: "s3", method: "get_object", region: "us-east-1", config: { Bucket: "data", Key: "huge" } }) }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TaskRunFailedError);
    expect((error as Error).message).toContain(`The answer's result.Body is over ${4 * 1024 * 1024} bytes, the most a boto task's result holds.`);
  });

  it("follows S3 to a bucket of another region, as boto3 does (botocore's S3RegionRedirectorv2, on every S3 client)", async () => {
    s3.put("eu-data", "k", "v").regions.set("eu-data", "eu-west-1");
    const got = await runConnector(connector, { template: botoTemplate({ service: "s3", method: "get_object", region: "us-east-1", config: { Bucket: "eu-data", Key: "k" } }) });
    expect(Buffer.from((got.outputs!["result"] as { Body: Uint8Array }).Body).toString()).toBe("v");
    expect(s3.calls.map((call) => call.status)).toEqual([301, 200]);
    expect(s3.calls[1]!.headers["authorization"]).toContain("/eu-west-1/s3/aws4_request");
  });

  it("answers S3's ResponseMetadata as botocore's REST parsers do: HostId beside a RequestId from x-amz-request-id", async () => {
    s3.put("data", "k", "v");
    const head = await runConnector(connector, { template: botoTemplate({ service: "s3", method: "head_object", region: "us-east-1", config: { Bucket: "data", Key: "k" } }) });
    expect((head.outputs!["result"] as { ResponseMetadata: unknown }).ResponseMetadata).toEqual({
      RequestId: "S3REQ",
      HostId: "host",
      HTTPStatusCode: 200,
      HTTPHeaders: expect.objectContaining({ "x-amz-request-id": "S3REQ", "x-amz-id-2": "host" }),
      RetryAttempts: 0,
    });
  });

  it("fails the task with AWS's message when AWS refuses the call", async () => {
    const error = await runConnector(connector, { template: botoTemplate({ service: "s3", method: "get_object", region: "us-east-1", config: { Bucket: "nope", Key: "k" } }) }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TaskRunFailedError);
    expect((error as Error).message).toContain("S3 could not call get_object: NoSuchBucket: The specified bucket does not exist");
  });

  it("refuses, with INVALID_ARGUMENT, a service or method boto3 would not have", async () => {
    const call = (service: string, method: string) => connector.do(params(botoTemplate({ service, method, region: "us-east-1", config: {} })));
    await expect(call("sagemaker", "make_coffee")).rejects.toThrow(/sagemaker has no method "make_coffee"/);
    await expect(call("no-such-service", "list")).rejects.toThrow(/@aws-sdk\/client-no-such-service is not installed/);
    await expect(call("../../etc", "list")).rejects.toThrow(InvalidArgumentError);
    await expect(connector.do(params(botoTemplate({ service: "sagemaker", method: "list_endpoints", config: {} })))).rejects.toThrow(/Region parameter is required/);
  });

  it("refuses, with INVALID_ARGUMENT, parameters the SDK refuses before sending: botocore's ParamValidationError, never UNAVAILABLE", async () => {
    const call = (method: string, config: Record<string, unknown>, region = "us-east-1") =>
      connector.do(params(botoTemplate({ service: "s3", method, region, config }))).catch((caught: unknown) => caught);
    const missingKey = await call("get_object", { Bucket: "data" });
    expect(missingKey).toBeInstanceOf(InvalidArgumentError);
    expect((missingKey as Error).message).toBe('S3 could not call get_object: Parameter validation failed:\nMissing required parameter in input: "Key"');
    expect(await call("put_object", { Bucket: "data", Key: "k", Body: { not: "bytes" } })).toBeInstanceOf(InvalidArgumentError);
    const badRegion = await call("head_object", { Bucket: "data", Key: "k" }, "us east 1");
    expect(badRegion).toBeInstanceOf(InvalidArgumentError);
    expect((badRegion as Error).message).toMatch(/us east 1/);
    expect(s3.calls).toEqual([]);
  });

  it("refuses, with INVALID_ARGUMENT, a header value Node will not write, before anything is sent (never UNAVAILABLE)", async () => {
    const call = (config: Record<string, unknown>) => connector.do(params(botoTemplate({ service: "s3", method: "put_object", region: "us-east-1", config }))).catch((caught: unknown) => caught);
    // botocore refuses the first as a ParamValidationError ("Non ascii characters found in S3 metadata"), http.client the second.
    const metadata = await call({ Bucket: "data", Key: "k", Body: "v", Metadata: { owner: "€uro" } });
    expect(metadata).toBeInstanceOf(InvalidArgumentError);
    expect((metadata as Error).message).toBe('S3 could not call put_object: a parameter cannot be sent in an HTTP request (nothing was sent): Invalid character in header content ["x-amz-meta-owner"]');
    const contentType = await call({ Bucket: "data", Key: "k", Body: "v", ContentType: "text/plain\nX: y" });
    expect(contentType).toBeInstanceOf(InvalidArgumentError);
    expect((contentType as Error).message).toContain('Invalid character in header content ["content-type"]');
    expect(s3.calls).toEqual([]);
  });

  it("answers UNAVAILABLE when S3 keeps answering 503 SlowDown, and recovers from one", async () => {
    s3.put("data", "k", "v");
    const template = botoTemplate({ service: "s3", method: "head_object", region: "us-east-1", config: { Bucket: "data", Key: "k" } });
    s3.fault({ status: 503 });
    const resource = await connector.do(params(template));
    expect(resource.phase).toBe(Phase.SUCCEEDED);
    expect(s3.calls.map((call) => call.status)).toEqual([503, 200]);
    s3.fault({ status: 503, times: Infinity });
    await expect(connector.do(params(template))).rejects.toThrow(UnavailableError);
  });

  it("answers UNAVAILABLE when S3 keeps timing the request out (a 400 RequestTimeout the SDK retries), never a failed task", async () => {
    s3.put("data", "k", "v");
    // A GET: HEAD's answer has no body to carry the code.
    const template = botoTemplate({ service: "s3", method: "get_object", region: "us-east-1", config: { Bucket: "data", Key: "k" } });
    s3.fault({ status: 408, times: Infinity });
    const error = await connector.do(params(template)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toContain("RequestTimeout");
    expect(s3.calls.length).toBeGreaterThan(1);
  });

  // The SDK's standard retry strategy retries status 429 and its throttling codes, whatever the
  // status (@smithy/core/retry service-error-classification, constants.js THROTTLING_ERROR_CODES).
  it.each([
    ["a 429 with LimitExceededException", 429, "LimitExceededException"],
    ["a 400 TransactionInProgressException (a throttling code)", 400, "TransactionInProgressException"],
  ])("answers UNAVAILABLE when SageMaker keeps answering %s, after the SDK's retries", async (_, status, type) => {
    sagemaker.fault({ status, body: { __type: type, message: "Rate of requests exceeds the limit, try again later" }, times: Infinity });
    const error = await connector.do(params(botoTemplate({ service: "sagemaker", method: "list_endpoints", region: "us-east-1", config: {} }))).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toContain(`${type}: Rate of requests exceeds the limit`);
    expect(sagemaker.calls).toHaveLength(3);
  });

  it("answers UNAVAILABLE when SageMaker Runtime keeps answering 429 ModelNotReadyException, through botocore's alias runtime.sagemaker", async () => {
    vi.stubEnv("AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME", sagemaker.url);
    sagemaker.fault({ status: 429, body: { __type: "ModelNotReadyException", message: "Model is not ready" }, times: Infinity });
    const template = botoTemplate({ service: "runtime.sagemaker", method: "invoke_endpoint", region: "us-east-1", config: { EndpointName: "ep", Body: '{"x": 1}', ContentType: "application/json" } });
    const error = await connector.do(params(template)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toContain("ModelNotReadyException: Model is not ready");
    expect(sagemaker.calls.map((call) => `${call.method} ${call.path}`)).toEqual(Array(3).fill("POST /endpoints/ep/invocations"));
  });

  it("reads the outputs back as flytekit would: result is a dict", async () => {
    const resource = await connector.do(params(botoTemplate({ service: "sagemaker", method: "create_model", region: "us-east-1", config: { ModelName: "m", ExecutionRoleArn: "arn:aws:iam::1:role/r" } })));
    expect(literalMapToPlain(resource.outputs as flyteidl.core.ILiteralMap)).toEqual({ result: { ModelArn: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:model/m` }, idempotence_token: "" });
  });
});

/**
 * botocore's ParamValidator (botocore/validate.py, botocore 1.43.11), which boto3_mixin.py's
 * getattr(client, method)(**config) runs before any request: every problem at once, in its
 * wording (ValidationErrors._format_error, validate.py:108-176; _validate_structure, :272-311).
 * The expected lines are what botocore 1.43.11 prints for the same configs, but for numbers: the
 * SDK's schemas do not tell an integer from a float, so both are named where botocore names one;
 * and a number for a string is sent as its text (the SDK's model has strings where botocore's has
 * integers), where botocore refuses it.
 */
describe("boto parameters, as botocore validates them", () => {
  const refusal = async (method: string, config: Record<string, unknown>) => {
    const error = await connector.do(params(botoTemplate({ service: "sagemaker", method, region: "us-east-1", config }))).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(sagemaker.calls).toEqual([]);
    const [head, ...lines] = (error as Error).message.split("\n");
    expect(head).toBe(`SageMaker could not call ${method}: Parameter validation failed:`);
    return lines;
  };

  it("refuses unknown members, at the top and nested, naming each", async () => {
    const lines = await refusal("create_model", { ModelName: "m", PrimaryContainer: { Imagee: "typo" }, Tagz: [] });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('Unknown parameter in input: "Tagz", must be one of: ModelName, PrimaryContainer, Containers, InferenceExecutionConfig, ExecutionRoleArn, Tags, VpcConfig, EnableNetworkIsolation');
    // The SDK's model may list members newer than botocore's.
    expect(lines[1]).toMatch(/^Unknown parameter in PrimaryContainer: "Imagee", must be one of: ContainerHostname, Image, ImageConfig, Mode, ModelDataUrl, /);
  });

  it("refuses a missing required member, at the top and in a list's structure", async () => {
    expect(await refusal("create_model", { Tags: [{ Key: "k" }] })).toEqual(['Missing required parameter in input: "ModelName"', 'Missing required parameter in Tags[0]: "Value"']);
  });

  it.each([
    ["None", { ModelName: null }, "Invalid type for parameter ModelName, value: None, type: <class 'NoneType'>, valid types: <class 'str'>"],
    ["a list for a map", { ModelName: "m", PrimaryContainer: { Environment: [1, 2] } }, "Invalid type for parameter PrimaryContainer.Environment, value: [1, 2], type: <class 'list'>, valid types: <class 'dict'>"],
    ["a str for a bool", { ModelName: "m", EnableNetworkIsolation: "yes" }, "Invalid type for parameter EnableNetworkIsolation, value: yes, type: <class 'str'>, valid types: <class 'bool'>"],
    ["a str for a list", { ModelName: "m", Tags: "x" }, "Invalid type for parameter Tags, value: x, type: <class 'str'>, valid types: <class 'list'>, <class 'tuple'>"],
    ["a dict for a str", { ModelName: { a: 1.5 } }, "Invalid type for parameter ModelName, value: {'a': 1.5}, type: <class 'dict'>, valid types: <class 'str'>"],
  ])("refuses %s", async (_, config, line) => {
    expect(await refusal("create_model", config)).toEqual([line]);
  });

  it("refuses a str for an integer (the SDK's schemas do not tell an integer from a float: both are named)", async () => {
    expect(await refusal("list_endpoints", { MaxResults: "10", CreationTimeAfter: "not a date" })).toEqual([
      "Invalid type for parameter MaxResults, value: 10, type: <class 'str'>, valid types: <class 'int'>, <class 'float'>",
      "Invalid type for parameter CreationTimeAfter, value: not a date, type: <class 'str'>, valid types: <class 'datetime.datetime'>, timestamp-string",
    ]);
  });

  it("lets a bool through for an integer, as botocore does (Python's bool is an int), and sends it as botocore's serializer does", async () => {
    // botocore 1.43.11: list_endpoints(MaxResults=True, CreationTimeAfter=True) sends {"MaxResults": true, "CreationTimeAfter": 1}.
    await connector.do(params(botoTemplate({ service: "sagemaker", method: "list_endpoints", region: "us-east-1", config: { MaxResults: true, CreationTimeAfter: true } })));
    expect(sagemaker.calls[0]!.json).toEqual({ MaxResults: true, CreationTimeAfter: 1 });
  });

  it("sends a binary input's base64 bytes whole into a blob, as boto3 sends b64encode's bytes", async () => {
    vi.stubEnv("AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME", sagemaker.url);
    sagemaker.fault({ status: 200, body: {} });
    const template = botoTemplate({ service: "sagemaker-runtime", method: "invoke_endpoint", region: "us-east-1", config: { EndpointName: "ep", Body: "{inputs.payload}" }, inputs: { payload: "none" } });
    await connector.do(params(template, flyteidl.core.LiteralMap.fromObject({ literals: { payload: { scalar: { binary: { value: [1, 2, 255], tag: "raw" } } } } })));
    expect(sagemaker.calls[0]!.text).toBe("AQL/");
  });

  it("sends a number given for a string as its text, where botocore would refuse it: the SDK's model has strings botocore's has as integers (S3's PartNumberMarker)", async () => {
    await connector.do(params(botoTemplate({ service: "sagemaker", method: "create_model", region: "us-east-1", config: { ModelName: "m", PrimaryContainer: { Environment: { a: 1 } } } })));
    expect(sagemaker.calls[0]!.json).toMatchObject({ PrimaryContainer: { Environment: { a: "1" } } });
  });

  it("sends a valid config unchanged", async () => {
    const config = { EndpointConfigName: "cfg", ProductionVariants: [{ VariantName: "v", ModelName: "m", InitialInstanceCount: 2, InstanceType: "ml.m4.xlarge", InitialVariantWeight: 0.5 }], Tags: [{ Key: "k", Value: "v" }] };
    await connector.do(params(botoTemplate({ service: "sagemaker", method: "create_endpoint_config", region: "us-east-1", config })));
    expect(sagemaker.calls[0]!.json).toEqual(config);
  });
});
