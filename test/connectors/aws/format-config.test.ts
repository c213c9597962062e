/**
 * The boto3 plugin's config filling and idempotence token (boto3_mixin.py _call, sorted_dict_str;
 * flytekit/utils/dict_formatter.py format_dict; flytekit v1.16.24 e96c720). Expected tokens are
 * the plugin's own test values (plugins/flytekit-aws-sagemaker/tests/test_boto3_mixin.py) or were
 * computed by running the plugin's format_dict and sorted_dict_str (copied out of e96c720 into a
 * scratch script, never committed) with python-xxhash on the same configs.
 */
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../../lib/connector/errors.js";
import { type JsonValue, PythonFloat } from "../../../lib/connector/python-json.js";
import { numbersAsFloats } from "../../../lib/connectors/aws/custom.js";
import { formatDict, prepareCall, sortedDictStr, xxh64Hex } from "../../../lib/connectors/aws/format-config.js";
import { flyteidl } from "../../../lib/idl/index.js";

const str = (value: string): flyteidl.core.ILiteral => ({ scalar: { primitive: { stringValue: value } } });
const int = (value: number): flyteidl.core.ILiteral => ({ scalar: { primitive: { integer: value } } });
const float = (value: number): flyteidl.core.ILiteral => ({ scalar: { primitive: { floatValue: value } } });
const inputs = (literals: Record<string, flyteidl.core.ILiteral>) => flyteidl.core.LiteralMap.decode(flyteidl.core.LiteralMap.encode({ literals }).finish());

/** flytekitplugins.awssagemaker_inference.triton_image_uri(version="21.08") (__init__.py). */
const TRITON_21_08 = "{account_id}.dkr.ecr.{region}.{base}/sagemaker-tritonserver:21.08-py3";

describe("prepareCall, as Boto3ConnectorMixin._call", () => {
  it("fills inputs and a Triton image without a token (test_boto3_mixin.py:87-123)", async () => {
    const call = await prepareCall({
      service: "sagemaker",
      config: { ModelName: "{inputs.model_name}", PrimaryContainer: { Image: "{images.image}", ModelDataUrl: "s3://sagemaker-connector-xgboost/model.tar.gz" } },
      inputs: inputs({ model_name: str("xgboost"), region: str("us-west-2") }),
      images: { image: TRITON_21_08 },
    });
    expect(call).toEqual({
      region: "us-west-2",
      params: {
        ModelName: "xgboost",
        PrimaryContainer: { Image: "301217895009.dkr.ecr.us-west-2.amazonaws.com/sagemaker-tritonserver:21.08-py3", ModelDataUrl: "s3://sagemaker-connector-xgboost/model.tar.gz" },
      },
      idempotenceToken: "",
    });
  });

  it("makes the plugin's token (test_boto3_mixin.py:128-164)", async () => {
    const call = await prepareCall({
      service: "sagemaker",
      config: { ModelName: "{inputs.model_name}-{idempotence_token}", PrimaryContainer: { Image: "{images.image}", ModelDataUrl: "s3://sagemaker-connector-xgboost/model.tar.gz" } },
      inputs: inputs({ model_name: str("xgboost"), region: str("us-west-2") }),
      images: { image: TRITON_21_08 },
    });
    expect(call.idempotenceToken).toBe("2de338ec95ee0da6");
    expect((call.params as Record<string, unknown>)["ModelName"]).toBe("xgboost-2de338ec95ee0da6");
  });

  it("cuts a SageMaker name's token to 63 characters (test_boto3_mixin.py:169-208)", async () => {
    const call = await prepareCall({
      service: "sagemaker",
      config: { ModelName: "{inputs.model_name}-{idempotence_token}", PrimaryContainer: { Image: "{images.image}", ModelDataUrl: "s3://sagemaker-connector-xgboost/model.tar.gz" } },
      inputs: inputs({ model_name: str("xgboost-random-string-1234567890123456789012345678"), region: str("us-west-2") }),
      images: { image: TRITON_21_08 },
    });
    expect(call.idempotenceToken).toBe("1a25e4bb988697a7");
    expect((call.params as Record<string, unknown>)["ModelName"]).toBe("xgboost-random-string-1234567890123456789012345678-1a25e4bb9886");
  });

  it("cuts an input token against the partly filled string (test_boto3_mixin.py:213-247)", async () => {
    const call = await prepareCall({
      service: "sagemaker",
      config: { EndpointName: "{inputs.endpoint_name}-{idempotence_token}", EndpointConfigName: "{inputs.endpoint_config_name}-{inputs.idempotence_token}" },
      inputs: inputs({
        endpoint_name: str("xgboost"),
        endpoint_config_name: str("xgboost-random-string-1234567890123456789012345678"),
        idempotence_token: str("432aa64034f37edb"),
        region: str("us-west-2"),
      }),
    });
    expect(call).toEqual({
      region: "us-west-2",
      params: { EndpointName: "xgboost-ce735d6a183643f1", EndpointConfigName: "xgboost-random-string-1234567890123456789012345678-432aa64034f3" },
      idempotenceToken: "ce735d6a183643f1",
    });
  });

  it("sorts dicts by key and lists by str() of their items, non-ASCII hashed as UTF-8 (computed with the plugin's code)", async () => {
    const config: JsonValue = {
      EndpointConfigName: "cfg-{idempotence_token}",
      ProductionVariants: [
        { VariantName: "b", InitialInstanceCount: 2, InitialVariantWeight: 0.5, ModelName: "{inputs.model}" },
        { VariantName: "a", InitialInstanceCount: 1, Serverless: true, Tags: null },
      ],
      Tags: [{ Key: "zeta", Value: "é ünïcödé 🚀" }, { Key: "Alpha", Value: "it's" }, "plain", 10, 9],
    };
    const call = await prepareCall({ service: "sagemaker", config, inputs: inputs({ model: str("m1"), region: str("eu-west-1") }) });
    expect(call.idempotenceToken).toBe("d3180658ac9f5287");
    expect(call.region).toBe("eu-west-1");
    expect(sortedDictStr(formatDict("sagemaker", config, { inputs: { model: "m1" } }))).toBe(
      "{EndpointConfigName: cfg-{idempotence_token}, ProductionVariants: [{InitialInstanceCount: 1, Serverless: True, Tags: None, VariantName: a}, {InitialInstanceCount: 2, InitialVariantWeight: 0.5, ModelName: m1, VariantName: b}], Tags: [10, 9, plain, {Key: Alpha, Value: it's}, {Key: zeta, Value: é ünïcödé 🚀}]}",
    );
  });

  it("orders keys and list items by code point, as Python compares strings (computed with the plugin's code)", async () => {
    const call = await prepareCall({ service: "sagemaker", config: { Tags: { "\uff61": "a", "\u{1F600}": "b", Z: "c" }, Name: "n-{idempotence_token}", L: ["\uff61", "\u{1F600}"] }, region: "us-east-1" });
    expect(call.idempotenceToken).toBe("2c341c7f83f1d200");
    expect(sortedDictStr(call.params)).toBe("{L: [\uff61, \u{1F600}], Name: n-2c341c7f83f1d200, Tags: {Z: c, \uff61: a, \u{1F600}: b}}");
  });

  it("hashes a Struct's numbers as floats when nothing converts them (the endpoint connector; computed with the plugin's code)", async () => {
    const config = numbersAsFloats({
      EndpointName: "ep-{idempotence_token}",
      EndpointConfigName: "{inputs.cfg}",
      DeploymentConfig: { BlueGreenUpdatePolicy: { MaximumExecutionTimeoutInSeconds: 600, TerminationWaitInSeconds: 0 } },
    });
    const call = await prepareCall({ service: "sagemaker", config, inputs: inputs({ cfg: str("my-config") }), region: "us-east-1" });
    expect(call.idempotenceToken).toBe("cfd9387931464e35");
    expect((call.params as Record<string, unknown>)["EndpointName"]).toBe("ep-cfd9387931464e35");
  });

  it("splices Python's str() of ints and floats and does not cut tokens outside SageMaker (computed with the plugin's code)", async () => {
    const call = await prepareCall({
      service: "stepfunctions",
      config: { name: `{inputs.prefix}-run-{inputs.n}-{inputs.x}-{idempotence_token}${"x".repeat(60)}`, stateMachineArn: "arn:aws:states:us-east-1:123456789012:stateMachine:sm", input: "{inputs.payload}" },
      inputs: inputs({ prefix: str("p"), n: int(3), x: float(2), payload: str('{"a": 1}') }),
      region: "us-east-1",
    });
    expect(call.idempotenceToken).toBe("c1ddb4de7ba5c2d3");
    expect(call.params).toEqual({ name: `p-run-3-2.0-c1ddb4de7ba5c2d3${"x".repeat(60)}`, stateMachineArn: "arn:aws:states:us-east-1:123456789012:stateMachine:sm", input: '{"a": 1}' });
  });

  it("keeps an input's native type when the placeholder is the whole string (test_boto3_mixin.py:17-71)", async () => {
    const call = await prepareCall({
      service: "s3",
      config: { a: "{inputs.a}", c: "{inputs.c}", d: "{inputs.d}", e: "{inputs.e}", j: { g: "{inputs.g}", h: "{inputs.h}" } },
      inputs: inputs({
        a: int(1),
        c: { scalar: { primitive: { boolean: true } } },
        d: float(1),
        e: { collection: { literals: [int(1), int(2), int(3)] } },
        g: { scalar: { noneType: {} } },
        h: { scalar: { blob: { uri: "s3://foo/bar", metadata: { type: { dimensionality: 0 } } } } },
      }),
      region: "us-east-1",
    });
    expect(call.params).toEqual({ a: 1, c: true, d: new PythonFloat(1), e: [1, 2, 3], j: { g: null, h: "s3://foo/bar" } });
  });

  // string_literals.py:49 gives base64.b64encode(value), bytes: format_dict splices str(bytes),
  // `b'...'`, and sorted_dict_str hashes that text; a whole-value placeholder keeps the bytes.
  // Expected values computed with the plugin's format_dict and sorted_dict_str and python-xxhash.
  it("splices a binary input as Python's str() of its base64 bytes, and hashes that text (computed with the plugin's code)", async () => {
    const blob: flyteidl.core.ILiteral = { scalar: { binary: { value: new Uint8Array([1, 2, 255]), tag: "raw" } } };
    const call = await prepareCall({ service: "sagemaker", config: { ModelName: "m-{inputs.blob}", Whole: "{inputs.blob}", T: "{idempotence_token}" }, inputs: inputs({ blob, n: str("x") }), region: "us-east-1" });
    expect(call.idempotenceToken).toBe("277f15b390b972f4");
    expect(call.params).toEqual({ ModelName: "m-b'AQL/'", Whole: new TextEncoder().encode("AQL/"), T: "277f15b390b972f4" });
    const quoted: flyteidl.core.ILiteral = { scalar: { binary: { value: new TextEncoder().encode("'\""), tag: "raw" } } };
    const listed = await prepareCall({ service: "s3", config: { Bucket: "b", Key: "k-{inputs.blobs}-{idempotence_token}", Body: "{inputs.blob}" }, inputs: inputs({ blob, blobs: { collection: { literals: [blob, quoted] } } }), region: "us-east-1" });
    expect(listed.params).toEqual({ Bucket: "b", Key: "k-[b'AQL/', b'JyI=']-9e08af527fa79c20", Body: new TextEncoder().encode("AQL/") });
  });

  it("takes the region from the input first, then the task; neither is a clear error", async () => {
    expect((await prepareCall({ service: "sagemaker", config: {}, inputs: inputs({ region: str("eu-west-3") }), region: "us-east-1" })).region).toBe("eu-west-3");
    expect((await prepareCall({ service: "sagemaker", config: {}, region: "us-east-1" })).region).toBe("us-east-1");
    await expect(prepareCall({ service: "sagemaker", config: {}, region: null })).rejects.toThrow(InvalidArgumentError);
    await expect(prepareCall({ service: "sagemaker", config: {} })).rejects.toThrow(/Region parameter is required/);
  });

  it("names a placeholder it cannot fill, and a Triton region with no account", async () => {
    await expect(prepareCall({ service: "sagemaker", config: { A: "{inputs.missing}" }, inputs: inputs({ b: str("x") }), region: "us-east-1" })).rejects.toThrow(
      /Could not find the key "missing".*keys: "b"/,
    );
    await expect(prepareCall({ service: "sagemaker", config: { A: "{images.x}" }, images: { x: TRITON_21_08 }, region: "mars-1" })).rejects.toThrow(/no account for region "mars-1"/);
  });

  it("xxh64 hex digests are 16 digits, zero-padded (python-xxhash hexdigest)", async () => {
    // xxhash.xxh64(b"").hexdigest() and xxhash.xxh64(b"abc").hexdigest()
    expect(await xxh64Hex("")).toBe("ef46db3751d8e999");
    expect(await xxh64Hex("abc")).toBe("44bc2cf5ad770999");
  });
});
