/**
 * The sensor connector for flytekit's FileSensor against the S3, Cloud Storage and HTTP fakes.
 * Templates as BaseSensor.get_custom writes them: asdict(SensorMetadata(sensor_module=
 * type(self).__module__, sensor_name=type(self).__name__, sensor_config=None)), so with
 * `"inputs": None` (flytekit/sensor/base_sensor.py:94-100, flytekit v1.16.24 e96c720), and the
 * input `path: str` from FileSensor.poke's signature (file_sensor.py:12, base_sensor.py:59-64).
 */
import { generateKeyPairSync } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { FailedPreconditionError, InvalidArgumentError, UnavailableError } from "../../../lib/connector/errors.js";
import { Phase } from "../../../lib/connector/phase.js";
import { TaskCategory } from "../../../lib/connector/task-category.js";
import { FileSensorConnector } from "../../../lib/connectors/aws/file-sensor.js";
import { SensorMetadata } from "../../../lib/connectors/aws/meta.js";
import { toLiteralMap } from "../../../lib/literals/index.js";
import { runConnector, taskTemplate } from "../../../lib/testing/index.js";
import { stubAwsEnv } from "./aws-env.js";
import { GcsFake, HttpFilesFake, S3Fake } from "./fake.js";
import { taskParams } from "../../../lib/connector/task-params.js";

vi.mock("node:dns", async (real) => (await import("../../support/test-names.js")).withTestNames(await real()));

const s3 = new S3Fake();
const gcs = new GcsFake();
const http = new HttpFilesFake();
const connector = new FileSensorConnector();

const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
gcs.addServiceAccount("sensor-key", publicKey);
const serviceAccountJson = JSON.stringify({
  type: "service_account",
  project_id: "dummy-project",
  private_key_id: "sensor-key",
  private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  client_email: "sensor@dummy-project.iam.gserviceaccount.com",
  client_id: "1",
  // Never used: the key signs its own JWT.
  token_uri: "https://oauth2.googleapis.com/token",
});

beforeAll(async () => {
  await Promise.all([s3.start(), gcs.start(), http.start()]);
});
afterAll(async () => {
  await Promise.all([s3.stop(), gcs.stop(), http.stop()]);
});
beforeEach(() => {
  for (const fake of [s3, gcs, http]) fake.reset();
  s3.buckets.clear();
  s3.regions.clear();
  gcs.buckets.clear();
  http.files.clear();
  stubAwsEnv({ AWS_ENDPOINT_URL_S3: s3.url });
  vi.stubEnv("STORAGE_EMULATOR_HOST", gcs.url);
  vi.stubEnv("_FSEC_GOOGLE_APPLICATION_CREDENTIALS", serviceAccountJson);
});
afterEach(() => {
  vi.unstubAllEnvs();
});

const fileSensorTemplate = (module = "flytekit.sensor.file_sensor", name = "FileSensor") =>
  taskTemplate({ type: "sensor", custom: { sensor_module: module, sensor_name: name, sensor_config: null, inputs: null }, inputs: { path: "string" } });

const getParams = () => ({ signal: new AbortController().signal, taskCategory: new TaskCategory("sensor", 0), outputPrefix: "" });

async function poke(path: string): Promise<{ phase: number; message: string }> {
  const template = fileSensorTemplate();
  const meta = connector.create(taskParams({ signal: new AbortController().signal, taskTemplate: template, inputs: toLiteralMap({ path }, template.interface!.inputs!.variables, "input"), outputPrefix: "" }));
  const resource = await connector.get(meta, getParams());
  return { phase: resource.phase, message: resource.message };
}

describe("FileSensor", () => {
  it("writes flytekit's SensorMetadata JSON, byte for byte (sensor_engine.py:21-31)", () => {
    const template = fileSensorTemplate();
    const meta = connector.create(taskParams({ signal: new AbortController().signal, taskTemplate: template, inputs: toLiteralMap({ path: "s3://bucket/key" }, template.interface!.inputs!.variables, "input"), outputPrefix: "" }));
    const json = '{"sensor_module": "flytekit.sensor.file_sensor", "sensor_name": "FileSensor", "sensor_config": null, "inputs": {"path": "s3://bucket/key"}}';
    expect(new TextDecoder().decode(meta.encode())).toBe(json);
    expect(SensorMetadata.decode(new TextEncoder().encode(json)).inputs).toEqual({ path: "s3://bucket/key" });
  });

  it("runs until the S3 object exists", async () => {
    s3.buckets.set("landing", new Map());
    const template = fileSensorTemplate();
    const result = await runConnector(connector, {
      template,
      inputs: { path: "s3://landing/2024/data.csv" },
      beforePoll: (poll) => {
        if (poll === 2) s3.put("landing", "2024/data.csv");
      },
    });
    expect(result.outputs).toBeUndefined();
    expect(s3.calls.map((call) => `${call.method} ${call.path} ${call.status}`)).toEqual([
      "HEAD /landing/2024/data.csv 404",
      "GET /landing/ 200",
      "HEAD /landing/2024/data.csv 404",
      "GET /landing/ 200",
      "HEAD /landing/2024/data.csv 200",
    ]);
    expect(s3.calls[1]!.query.get("prefix")).toBe("2024/data.csv/");
  });

  it("answers RUNNING with a message while the path is missing", async () => {
    s3.put("landing", "other");
    expect(await poke("s3://landing/missing.csv")).toEqual({ phase: Phase.RUNNING, message: "Waiting for s3://landing/missing.csv to exist." });
    expect(await poke("s3://no-bucket/x")).toMatchObject({ phase: Phase.RUNNING });
  });

  it("counts an S3 prefix holding objects, and a bucket, as existing (s3fs)", async () => {
    s3.put("landing", "dir/part-0");
    expect((await poke("s3://landing/dir")).phase).toBe(Phase.SUCCEEDED);
    expect((await poke("s3://landing/dir/")).phase).toBe(Phase.SUCCEEDED);
    expect((await poke("s3://landing")).phase).toBe(Phase.SUCCEEDED);
    expect((await poke("s3://landing/di")).phase).toBe(Phase.RUNNING);
  });

  // s3fs's _exists strips the path first (fsspec spec.py AbstractFileSystem._strip_protocol:
  // path.rstrip("/")), then _info asks HeadObject for the key and lists `key/` only if it is not there.
  it("finds the object `key` at s3://bucket/key/, as s3fs strips the trailing slash", async () => {
    s3.put("landing", "report");
    expect((await poke("s3://landing/report/")).phase).toBe(Phase.SUCCEEDED);
    expect((await poke("s3://landing/report//")).phase).toBe(Phase.SUCCEEDED);
    expect(s3.calls.map((call) => `${call.method} ${call.path} ${call.status}`)).toEqual(["HEAD /landing/report 200", "HEAD /landing/report 200"]);
  });

  it("follows S3 to a bucket of another region (a HEAD's 301 names it only in x-amz-bucket-region)", async () => {
    s3.put("eu-landing", "dir/k").regions.set("eu-landing", "eu-west-1");
    expect((await poke("s3://eu-landing/dir/k")).phase).toBe(Phase.SUCCEEDED);
    expect((await poke("s3://eu-landing/dir")).phase).toBe(Phase.SUCCEEDED);
    expect(s3.calls.map((call) => `${call.method} ${call.status}`)).toEqual(["HEAD 301", "HEAD 200", "HEAD 301", "HEAD 404", "GET 301", "GET 200"]);
  });

  it("answers UNAVAILABLE when S3 stays down, throttles or answers garbage, and rides out one fault", async () => {
    s3.put("landing", "k");
    s3.fault({ status: 500 });
    expect((await poke("s3://landing/k")).phase).toBe(Phase.SUCCEEDED);
    s3.fault({ status: 503, times: Infinity });
    await expect(poke("s3://landing/k")).rejects.toThrow(/S3 could not read the object's metadata: .*after the SDK's retries/);
    s3.reset();
    s3.fault({ malformed: true, route: "GET /landing/", times: Infinity });
    await expect(poke("s3://landing/dir/")).rejects.toThrow(UnavailableError);
  });

  it("answers FAILED_PRECONDITION when S3 refuses the role", async () => {
    s3.fault({ status: 403, body: undefined });
    await expect(poke("s3://landing/x")).rejects.toThrow(FailedPreconditionError);
  });

  it("checks gs:// paths with the Google credentials of the BigQuery connector", async () => {
    gcs.put("bucket", "in/a.csv");
    expect((await poke("gs://bucket/in/a.csv")).phase).toBe(Phase.SUCCEEDED);
    expect((await poke("gs://bucket/in")).phase).toBe(Phase.SUCCEEDED);
    expect((await poke("gs://bucket/in/b.csv")).phase).toBe(Phase.RUNNING);
    expect((await poke("gs://nope/x")).phase).toBe(Phase.RUNNING);
    expect(gcs.calls[0]!.path).toBe("/storage/v1/b/bucket/o/in%2Fa.csv");
    expect(gcs.calls.every((call) => call.status !== 401 && call.status !== 403)).toBe(true);
  });

  it("checks http(s) paths with HEAD, then GET where HEAD is refused, since fsspec's _exists GETs", async () => {
    http.files.add("/files/a.txt");
    http.files.add("/no-head/b.txt");
    http.files.add("/signed/c.txt");
    expect((await poke(`${http.url}/files/a.txt`)).phase).toBe(Phase.SUCCEEDED);
    expect((await poke(`${http.url}/no-head/b.txt`)).phase).toBe(Phase.SUCCEEDED);
    // A URL presigned for GET: HEAD is refused (403) where fsspec's GET finds the file.
    expect((await poke(`${http.url}/signed/c.txt`)).phase).toBe(Phase.SUCCEEDED);
    expect(await poke(`${http.url}/files/missing.txt`)).toEqual({ phase: Phase.RUNNING, message: `Waiting for ${http.url}/files/missing.txt to exist: it answers HTTP 404.` });
    expect(http.calls.map((call) => `${call.method} ${call.path} ${call.status}`)).toEqual([
      "HEAD /files/a.txt 200",
      "HEAD /no-head/b.txt 405",
      "GET /no-head/b.txt 200",
      "HEAD /signed/c.txt 403",
      "GET /signed/c.txt 200",
      "HEAD /files/missing.txt 404",
      "GET /files/missing.txt 404",
    ]);
  });

  it("follows redirects, checking every hop's host (aiohttp follows them for fsspec)", async () => {
    http.files.add("/files/c.txt");
    expect((await poke(`${http.url}/moved/files/c.txt`)).phase).toBe(Phase.SUCCEEDED);
    expect(http.calls.map((call) => `${call.method} ${call.path}`)).toEqual(["HEAD /moved/files/c.txt", "HEAD /files/c.txt"]);
    http.redirects.set("/to-metadata", "http://169.254.169.254/latest/meta-data/");
    await expect(poke(`${http.url}/to-metadata`)).rejects.toThrow(/redirects to a host the connector may not call/);
    http.redirects.set("/loop", "/loop");
    expect(await poke(`${http.url}/loop`)).toEqual({ phase: Phase.RUNNING, message: `Waiting for ${http.url}/loop to exist: it redirects more than 10 times.` });
  });

  it("refuses the instance metadata and the function's own Runtime API", async () => {
    await expect(poke("http://169.254.169.254/latest/meta-data/")).rejects.toThrow(/names a host the connector may not call/);
    vi.stubEnv("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001");
    await expect(poke("http://127.0.0.1:9001/2018-06-01/runtime/invocation/next")).rejects.toThrow(InvalidArgumentError);
    // Any loopback name reaches it, and an IPv4-mapped address is the IPv4 one.
    await expect(poke("http://localhost:9001/2018-06-01/runtime/invocation/next")).rejects.toThrow(InvalidArgumentError);
    await expect(poke("http://[::ffff:169.254.169.254]/latest/meta-data/")).rejects.toThrow(InvalidArgumentError);
  });

  it("refuses a DNS name that resolves to where it may not lead, first or after a redirect", async () => {
    await expect(poke("http://metadata.test/latest/meta-data/")).rejects.toThrow(
      new InvalidArgumentError('FileSensor path "http://metadata.test/latest/meta-data/" leads to a host the connector may not call (metadata.test is 169.254.169.254).'),
    );
    await expect(poke("http://mapped-metadata.test/latest/meta-data/")).rejects.toThrow(/\(mapped-metadata\.test is ::ffff:169\.254\.169\.254\)/);
    http.redirects.set("/to-metadata-name", "http://metadata.test/latest/meta-data/");
    await expect(poke(`${http.url}/to-metadata-name`)).rejects.toThrow(/leads to a host the connector may not call \(metadata\.test is 169\.254\.169\.254\)/);
    expect(http.calls.map((call) => call.path)).toEqual(["/to-metadata-name"]);
  });

  it("keeps waiting when an http(s) path cannot be reached", async () => {
    const result = await poke("http://127.0.0.1:9/file");
    expect(result.phase).toBe(Phase.RUNNING);
    expect(result.message).toMatch(/cannot be reached/);
  });

  it("refuses any other sensor: it runs user Python", () => {
    const template = fileSensorTemplate("my_project.sensors", "MySensor");
    expect(() => connector.create(taskParams({ signal: new AbortController().signal, taskTemplate: template, inputs: toLiteralMap({ path: "s3://b/k" }, template.interface!.inputs!.variables, "input"), outputPrefix: "" }))).toThrow(
      /"my_project\.sensors\.MySensor" runs user Python/,
    );
    const meta = new SensorMetadata({ sensor_module: "my_project.sensors", sensor_name: "MySensor", inputs: {} });
    return expect(connector.get(meta, getParams())).rejects.toThrow(InvalidArgumentError);
  });

  it("a path that is not a string (the literal not of the declared type) is INVALID_ARGUMENT, as is none", () => {
    const template = fileSensorTemplate();
    const create = (inputs: Record<string, unknown>) => () => connector.create(taskParams({ signal: new AbortController().signal, taskTemplate: template, inputs: toLiteralMap(inputs), outputPrefix: "" }));
    expect(create({ path: [] })).toThrow(new InvalidArgumentError('Cannot read the task\'s inputs: cannot read input "path" as string: got a collection literal'));
    expect(create({ path: 3 })).toThrow(InvalidArgumentError);
    expect(create({})).toThrow(new InvalidArgumentError('FileSensor needs the input "path" (a string), got none.'));
  });

  it("names a sensor of any custom as Python's str() would, a missing module as None", () => {
    const refusal = (sensorModule: unknown) => {
      const template = fileSensorTemplate();
      if (sensorModule === undefined) delete template.custom!.fields!["sensor_module"];
      else template.custom!.fields!["sensor_module"] = { structValue: { fields: { toString: { nullValue: 0 } } } };
      return () => connector.create(taskParams({ signal: new AbortController().signal, taskTemplate: template, inputs: toLiteralMap({ path: "s3://b/k" }), outputPrefix: "" }));
    };
    expect(refusal({})).toThrow(new InvalidArgumentError(`Sensor "{'toString': None}.FileSensor" runs user Python (its poke method), which this connector service cannot run; only flytekit.sensor.file_sensor.FileSensor is served here. Serve other sensors with flytekit's connector.`));
    expect(refusal(undefined)).toThrow(/^Sensor "None\.FileSensor" runs user Python/);
  });

  it("refuses local and unsupported paths", async () => {
    await expect(poke("/tmp/file")).rejects.toThrow(/local to the connector/);
    await expect(poke("abfs://container/file")).rejects.toThrow(/abfs:\/\/ paths are not supported/);
    await expect(poke("http://exa mple.com:99999/x")).rejects.toThrow(/not a valid URL/);
  });

  it("deletes nothing", () => {
    expect(connector.delete()).toBeUndefined();
  });
});
