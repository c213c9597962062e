/** Parameters converted by the command's own input schema, as botocore converts boto3's. */
import { describe, expect, it } from "vitest";
import { coerceInput } from "../../../lib/connectors/aws/coerce-input.js";

describe("coerceInput", () => {
  it("turns text into bytes for a blob, and leaves other members alone", async () => {
    const { InvokeEndpointCommand } = await import("@aws-sdk/client-sagemaker-runtime");
    const input = (await coerceInput(new InvokeEndpointCommand({} as never), { EndpointName: "ep", Body: "{\"x\": 1}", ContentType: "application/json" })) as Record<string, unknown>;
    expect(input["Body"]).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(input["Body"] as Uint8Array).toString()).toBe('{"x": 1}');
    expect(input["ContentType"]).toBe("application/json");
  });

  it("converts timestamps nested in lists and structures, and keeps what it cannot read", async () => {
    const { PutMetricDataCommand } = await import("@aws-sdk/client-cloudwatch");
    const input = (await coerceInput(new PutMetricDataCommand({} as never), {
      Namespace: "ns",
      MetricData: [{ MetricName: "m", Timestamp: "2024-05-01T12:00:00Z", Value: 1 }, { MetricName: "n", Timestamp: "not a date" }],
    })) as { MetricData: Array<{ Timestamp: unknown }> };
    expect(input.MetricData[0]!.Timestamp).toEqual(new Date("2024-05-01T12:00:00Z"));
    expect(input.MetricData[1]!.Timestamp).toBe("not a date");
  });

  it("passes the parameters through for a command without a schema", async () => {
    expect(await coerceInput({}, { a: "2024-05-01T12:00:00Z" })).toEqual({ a: "2024-05-01T12:00:00Z" });
  });
});
