/**
 * The SDK clients' endpoints: a service's own AWS_ENDPOINT_URL_<SERVICE ID> redirects it (S3
 * path-style), and the global AWS_ENDPOINT_URL, which the SDK would otherwise follow for every
 * service, is ignored. Requests are stopped before they leave (no network).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { createClient, endpointEnvName } from "../../../lib/connectors/aws/sdk.js";
import type { AwsSdkClient, ClientClass } from "../../../lib/connectors/aws/services.js";
import { stubAwsEnv } from "./aws-env.js";

afterEach(() => {
  vi.unstubAllEnvs();
});

/** Where the client would send `command`: the signed request's URL, caught before it is sent. */
async function destination(client: AwsSdkClient, command: object): Promise<string> {
  const stop = new Error("stopped before sending");
  let url = "";
  client.middlewareStack.add(
    () => async (args) => {
      const { protocol, hostname, port, path } = (args as { request: { protocol: string; hostname: string; port?: number; path: string } }).request;
      url = `${protocol}//${hostname}${port ? `:${port}` : ""}${path}`;
      throw stop;
    },
    { step: "finalizeRequest", name: "stop", priority: "low" },
  );
  await expect(client.send(command)).rejects.toBe(stop);
  client.destroy();
  return url;
}

describe("AWS SDK clients", () => {
  it("names each service's override as the SDK does", () => {
    expect(endpointEnvName("SageMaker")).toBe("AWS_ENDPOINT_URL_SAGEMAKER");
    expect(endpointEnvName("SageMaker Runtime")).toBe("AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME");
    expect(endpointEnvName("S3")).toBe("AWS_ENDPOINT_URL_S3");
  });

  it("ignores the global AWS_ENDPOINT_URL", async () => {
    stubAwsEnv({});
    const sagemaker = await import("@aws-sdk/client-sagemaker");
    const client = createClient(sagemaker.SageMakerClient as unknown as ClientClass, "eu-west-1");
    expect(await destination(client, new sagemaker.ListEndpointsCommand({}))).toBe("https://api.sagemaker.eu-west-1.amazonaws.com/");
  });

  it("follows the service's own variable, and only its own", async () => {
    stubAwsEnv({ AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: "http://127.0.0.1:4567" });
    const runtime = await import("@aws-sdk/client-sagemaker-runtime");
    const sagemaker = await import("@aws-sdk/client-sagemaker");
    const runtimeClient = createClient(runtime.SageMakerRuntimeClient as unknown as ClientClass, "us-east-1");
    expect(await destination(runtimeClient, new runtime.InvokeEndpointCommand({ EndpointName: "ep", Body: new Uint8Array() }))).toBe("http://127.0.0.1:4567/endpoints/ep/invocations");
    const client = createClient(sagemaker.SageMakerClient as unknown as ClientClass, "us-east-1");
    expect(await destination(client, new sagemaker.ListEndpointsCommand({}))).toBe("https://api.sagemaker.us-east-1.amazonaws.com/");
  });

  it("addresses S3 path-style behind an override, virtual-hosted at AWS", async () => {
    stubAwsEnv({});
    const s3 = await import("@aws-sdk/client-s3");
    const aws = createClient(s3.S3Client as unknown as ClientClass, "us-east-1");
    expect(await destination(aws, new s3.HeadObjectCommand({ Bucket: "my-bucket", Key: "a/b.txt" }))).toBe("https://my-bucket.s3.us-east-1.amazonaws.com/a/b.txt");
    vi.stubEnv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:4568");
    const local = createClient(s3.S3Client as unknown as ClientClass, "us-east-1");
    expect(await destination(local, new s3.HeadObjectCommand({ Bucket: "my-bucket", Key: "a/b.txt" }))).toBe("http://127.0.0.1:4568/my-bucket/a/b.txt");
  });
});
