/**
 * boto3 names to SDK v3 packages and commands, checked against the SDK's own metadata: each
 * installed client package's serviceId (its sdkId), and, where Python's botocore is installed,
 * botocore's service names and the serviceId in each service model's metadata.
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../../lib/connector/errors.js";
import { clientPackage, loadService, V3_NAMES } from "../../../lib/connectors/aws/services.js";

/** The v3 package suffix the SDK's generator makes of an sdkId. */
const packageSuffix = (sdkId: string) => sdkId.toLowerCase().replace(/ /g, "-");

const require = createRequire(import.meta.url);
const sdkDir = dirname(dirname(require.resolve("@aws-sdk/client-s3/package.json")));
const installed = readdirSync(sdkDir).filter((name) => name.startsWith("client-")).map((name) => name.slice("client-".length));

async function serviceIdOf(suffix: string): Promise<string> {
  const module = await loadService(suffix);
  const client = new module.Client({ region: "us-east-1" });
  const serviceId = client.config.serviceId ?? "";
  client.destroy();
  return serviceId;
}

describe("boto3 services", () => {
  it.each(installed)("client-%s is named after its serviceId, as the mapping assumes", async (suffix) => {
    expect(packageSuffix(await serviceIdOf(suffix))).toBe(suffix);
  });

  it("maps the renamed services to installed packages of the right service", async () => {
    const checked = Object.entries(V3_NAMES).filter(([, suffix]) => installed.includes(suffix));
    expect(checked.map(([botocore]) => botocore)).toEqual(expect.arrayContaining(["logs", "events", "apigateway", "secretsmanager", "cognito-idp"]));
    for (const [botocore, suffix] of checked) {
      expect(clientPackage(botocore)).toBe(`@aws-sdk/client-${suffix}`);
      expect(packageSuffix(await serviceIdOf(botocore))).toBe(suffix);
    }
    expect(clientPackage("stepfunctions")).toBe("@aws-sdk/client-sfn");
    expect(clientPackage("sagemaker-runtime")).toBe("@aws-sdk/client-sagemaker-runtime");
  });

  it("matches methods to commands without regard to case and underscores", async () => {
    const iam = await loadService("iam");
    expect(iam.command("list_open_id_connect_providers")?.name).toBe("ListOpenIDConnectProvidersCommand");
    expect((await loadService("sagemaker")).command("create_auto_ml_job")?.name).toBe("CreateAutoMLJobCommand");
    expect((await loadService("s3")).command("list_objects_v2")?.name).toBe("ListObjectsV2Command");
    expect((await loadService("logs")).command("describe_log_groups")?.name).toBe("DescribeLogGroupsCommand");
    expect(iam.command("generate_presigned_url")).toBeUndefined();
  });

  it("takes the older names botocore aliases (SERVICE_NAME_ALIASES, botocore/utils.py:3646, 1.43.11)", async () => {
    expect(clientPackage("runtime.sagemaker")).toBe("@aws-sdk/client-sagemaker-runtime");
    expect((await loadService("runtime.sagemaker")).command("invoke_endpoint")?.name).toBe("InvokeEndpointCommand");
    expect(() => clientPackage("runtime.s3")).toThrow(InvalidArgumentError);
  });

  it("refuses names that are not service names", () => {
    for (const name of ["", "../s3", "S3", "client-s3/x", "@aws-sdk/client-s3"]) expect(() => clientPackage(name)).toThrow(InvalidArgumentError);
  });

  // botocore names every service by its data directory; its service-2.json metadata has the sdkId.
  const botocore = spawnSync(
    "python3",
    ["-c", "import json, botocore.session as b; s = b.get_session(); print(json.dumps({n: s.get_service_model(n).metadata['serviceId'] for n in s.get_available_services()}))"],
    { encoding: "utf8" },
  );
  it.runIf(botocore.status === 0)("lists exactly the botocore services whose package name differs (botocore present here)", () => {
    const serviceIds = JSON.parse(botocore.stdout) as Record<string, string>;
    const differing = Object.fromEntries(
      Object.entries(serviceIds)
        .map(([name, sdkId]) => [name, packageSuffix(sdkId)] as const)
        .filter(([name, suffix]) => name !== suffix),
    );
    expect(V3_NAMES).toEqual(differing);
  });
});
