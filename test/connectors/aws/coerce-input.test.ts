/** Parameters checked and converted by the command's own input schema, as botocore checks and converts boto3's. */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../../lib/connector/errors.js";
import { PythonFloat } from "../../../lib/connector/python-json.js";
import { coerceInput } from "../../../lib/connectors/aws/coerce-input.js";

/**
 * The ISO texts coerceInput makes of `timestamps` as PutMetricData timestamps, in a Node process
 * whose zone is `zone`: the host's own zone (UTC on Lambda) must not show.
 */
function timestampsIn(zone: string, timestamps: readonly string[]): unknown[] {
  const module = fileURLToPath(new URL("../../../lib/connectors/aws/coerce-input.ts", import.meta.url));
  const script = `
    const { coerceInput } = await import(${JSON.stringify(module)});
    const { PutMetricDataCommand } = await import("@aws-sdk/client-cloudwatch");
    const stamps = ${JSON.stringify(timestamps)};
    const input = await coerceInput(new PutMetricDataCommand({}), { Namespace: "ns", MetricData: stamps.map((Timestamp) => ({ MetricName: "m", Timestamp })) }, "CloudWatch");
    console.log(JSON.stringify(input.MetricData.map(({ Timestamp }) => Timestamp instanceof Date ? Timestamp.toISOString() : { kept: Timestamp })));
  `;
  const output = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { env: { ...process.env, TZ: zone }, encoding: "utf8" });
  return JSON.parse(output) as unknown[];
}

describe("coerceInput", () => {
  it("turns text into bytes for a blob, and leaves other members alone", async () => {
    const { InvokeEndpointCommand } = await import("@aws-sdk/client-sagemaker-runtime");
    const input = (await coerceInput(new InvokeEndpointCommand({} as never), { EndpointName: "ep", Body: "{\"x\": 1}", ContentType: "application/json" }, "SageMaker Runtime")) as Record<string, unknown>;
    expect(input["Body"]).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(input["Body"] as Uint8Array).toString()).toBe('{"x": 1}');
    expect(input["ContentType"]).toBe("application/json");
  });

  it("converts timestamps nested in lists and structures", async () => {
    const { PutMetricDataCommand } = await import("@aws-sdk/client-cloudwatch");
    const input = (await coerceInput(
      new PutMetricDataCommand({} as never),
      { Namespace: "ns", MetricData: [{ MetricName: "m", Timestamp: "2024-05-01T12:00:00Z", Value: 1 }, { MetricName: "n", Timestamp: 1714564800 }] },
      "CloudWatch",
    )) as { MetricData: Array<{ Timestamp: unknown }> };
    expect(input.MetricData.map(({ Timestamp }) => Timestamp)).toEqual([new Date("2024-05-01T12:00:00Z"), new Date("2024-05-01T12:00:00Z")]);
  });

  // botocore's _validate_timestamp (botocore/validate.py:391-409, 1.43.11): what
  // parse_to_aware_datetime cannot read is an invalid type, dateutil's "day is out of range for
  // month" included (Date would roll 2024-02-30 over into March).
  it("refuses, as botocore does, a timestamp it cannot read, naming each with its path", async () => {
    const { PutMetricDataCommand } = await import("@aws-sdk/client-cloudwatch");
    const stamps = ["not a date", "2024-02-30T00:00:00", [1]];
    const error = await coerceInput(new PutMetricDataCommand({} as never), { Namespace: "ns", MetricData: stamps.map((Timestamp) => ({ MetricName: "m", Timestamp })) }, "CloudWatch could not call put_metric_data").catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toBe(
      [
        "CloudWatch could not call put_metric_data: Parameter validation failed:",
        "Invalid type for parameter MetricData[0].Timestamp, value: not a date, type: <class 'str'>, valid types: <class 'datetime.datetime'>, timestamp-string",
        "Invalid type for parameter MetricData[1].Timestamp, value: 2024-02-30T00:00:00, type: <class 'str'>, valid types: <class 'datetime.datetime'>, timestamp-string",
        "Invalid type for parameter MetricData[2].Timestamp, value: [1], type: <class 'list'>, valid types: <class 'datetime.datetime'>, timestamp-string",
      ].join("\n"),
    );
  });

  // botocore's _validate_blob (validate.py:363-375): bytes or str (a file-like object aside).
  it("takes bytes or str for a blob, and refuses anything else", async () => {
    const { InvokeEndpointCommand } = await import("@aws-sdk/client-sagemaker-runtime");
    const bytes = new Uint8Array([1, 2, 255]);
    const input = (await coerceInput(new InvokeEndpointCommand({} as never), { EndpointName: "ep", Body: bytes }, "SageMaker Runtime")) as Record<string, unknown>;
    expect(input["Body"]).toBe(bytes);
    await expect(coerceInput(new InvokeEndpointCommand({} as never), { EndpointName: "ep", Body: 3 }, "SageMaker Runtime")).rejects.toThrow(
      "Invalid type for parameter Body, value: (sensitive, not shown), type: <class 'int'>, valid types: <class 'bytes'>, <class 'bytearray'>, file-like object",
    );
  });

  // botocore's parse_to_aware_datetime (botocore/utils.py:1026-1068, botocore 1.43.11): text
  // float() reads is epoch seconds (_parse_timestamp_with_tzinfo, utils.py:959-975), other text
  // goes to dateutil, and "If no timezone info was provided in the input value, then UTC is
  // assumed, not local time". Expected instants are what it gives under TZ=America/New_York, to
  // the millisecond a Date holds.
  it("reads a timestamp without an offset as UTC and epoch text as seconds, whatever the host's zone", () => {
    const texts = [
      "2024-01-02T03:04:05",
      "2024-01-02 03:04:05",
      "2024-01-02T03:04",
      "20240102T030405",
      "2024-01-02T03:04:05.123456789",
      "2024-01-02",
      "2024-01-02T03:04:05+01",
      "2024-01-02T03:04:05-05:30",
      "1700000000",
      " 1700000000.5 ",
      "1_700_000_000",
      "Tue, 02 Jan 2024 03:04:05 GMT",
    ];
    const expected = [
      "2024-01-02T03:04:05.000Z",
      "2024-01-02T03:04:05.000Z",
      "2024-01-02T03:04:00.000Z",
      "2024-01-02T03:04:05.000Z",
      "2024-01-02T03:04:05.123Z",
      "2024-01-02T00:00:00.000Z",
      "2024-01-02T02:04:05.000Z",
      "2024-01-02T08:34:05.000Z",
      "2023-11-14T22:13:20.000Z",
      "2023-11-14T22:13:20.500Z",
      "2023-11-14T22:13:20.000Z",
      "2024-01-02T03:04:05.000Z",
    ];
    expect(timestampsIn("America/New_York", texts)).toEqual(expected);
    expect(timestampsIn("Asia/Kolkata", texts)).toEqual(expected);
  });

  it("passes the parameters through for a command without a schema", async () => {
    expect(await coerceInput({}, { a: "2024-05-01T12:00:00Z", b: new PythonFloat(2), Tagz: null }, "X")).toEqual({ a: "2024-05-01T12:00:00Z", b: 2, Tagz: null });
  });
});

describe("where the SDK's model and botocore's differ", () => {
  it("sends a number for a member the SDK has as a string and botocore as an integer (S3's PartNumberMarker), as its text", async () => {
    const { ListPartsCommand } = await import("@aws-sdk/client-s3");
    const input = (await coerceInput(new ListPartsCommand({} as never), { Bucket: "b", Key: "k", UploadId: "u", PartNumberMarker: 5n }, "S3")) as Record<string, unknown>;
    expect(input["PartNumberMarker"]).toBe("5");
  });

  it("takes a union the SDK has that botocore does not, set with no member (S3's metrics Filter)", async () => {
    const { PutBucketMetricsConfigurationCommand } = await import("@aws-sdk/client-s3");
    const config = { Bucket: "b", Id: "m", MetricsConfiguration: { Id: "m", Filter: {} } };
    await expect(coerceInput(new PutBucketMetricsConfigurationCommand({} as never), config, "S3")).resolves.toMatchObject({ MetricsConfiguration: { Filter: {} } });
  });

  it("does not quote a value inside a map the model marks sensitive (Cognito's AuthParameters)", async () => {
    const { InitiateAuthCommand } = await import("@aws-sdk/client-cognito-identity-provider");
    const config = { AuthFlow: "USER_PASSWORD_AUTH", ClientId: "c", AuthParameters: { USERNAME: "u", PASSWORD: ["hunter2"] } };
    const error = await coerceInput(new InitiateAuthCommand({} as never), config, "Cognito").catch((caught: unknown) => caught);
    expect((error as Error).message).toBe(
      "Cognito: Parameter validation failed:\nInvalid type for parameter AuthParameters.PASSWORD, value: (sensitive, not shown), type: <class 'list'>, valid types: <class 'str'>",
    );
  });

  it("does not quote a value the model marks sensitive in its refusal: it reaches Flyte's UI and logs", async () => {
    const { CreateSecretCommand } = await import("@aws-sdk/client-secrets-manager");
    const config = { Name: "db", SecretString: { username: "admin", password: "hunter2-S3cr3t" } };
    const error = await coerceInput(new CreateSecretCommand({} as never), config, "Secrets Manager could not call create_secret").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toBe(
      "Secrets Manager could not call create_secret: Parameter validation failed:\nInvalid type for parameter SecretString, value: (sensitive, not shown), type: <class 'dict'>, valid types: <class 'str'>",
    );
  });
});
