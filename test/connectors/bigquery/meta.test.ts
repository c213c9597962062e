/**
 * The metas as the Python connectors write them (`json.dumps(asdict(meta))`): flytekit
 * plugins/flytekit-bigquery/flytekitplugins/bigquery/connector.py:33-37, flyte-sdk
 * plugins/bigquery/src/flyteplugins/bigquery/connector.py:36-41.
 */
import { describe, expect, it } from "vitest";
import { BigQueryMeta, BigQueryMetadata, BigQueryMetadataV2 } from "../../../lib/connectors/bigquery/meta.js";

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

describe("BigQueryMeta", () => {
  it("reads and writes back flytekit's meta, byte for byte", () => {
    const written = '{"job_id": "0d0b4b2c-6c7c-4cfa-9c1e-8f0e0a3b2f11", "project": "dummy_project", "location": "us-central1"}';
    const meta = BigQueryMeta.decode(bytes(written));
    expect(meta).toBeInstanceOf(BigQueryMetadata);
    expect(meta).toEqual({ job_id: "0d0b4b2c-6c7c-4cfa-9c1e-8f0e0a3b2f11", project: "dummy_project", location: "us-central1" });
    expect(text(meta.encode())).toBe(written);
  });

  it("reads and writes back flyte-sdk's meta, with user_agent, byte for byte", () => {
    const written = '{"job_id": "j", "project": "p", "location": "EU", "user_agent": "Flyte/2.0.0 (GPN:Union;d\\u00e9v)"}';
    const meta = BigQueryMeta.decode(bytes(written));
    expect(meta).toBeInstanceOf(BigQueryMetadataV2);
    expect((meta as BigQueryMetadataV2).user_agent).toBe("Flyte/2.0.0 (GPN:Union;dév)");
    expect(text(meta.encode())).toBe(written);
  });

  it("a location Python left as None reads as null and is written as null", () => {
    const written = '{"job_id": "j", "project": "p", "location": null}';
    expect(text(BigQueryMeta.decode(bytes(written)).encode())).toBe(written);
  });

  it("refuses what neither plugin writes", () => {
    expect(() => BigQueryMeta.decode(bytes('{"job_id": "j", "project": "p", "location": "US", "token": "x"}'))).toThrow(/unknown field/);
    expect(() => BigQueryMeta.decode(bytes('{"project": "p", "location": "US"}'))).toThrow(/missing required field\(s\) "job_id"/);
    expect(() => BigQueryMeta.decode(bytes('{"job_id": "j", "project": "p", "location": "US", "user_agent": 1}'))).toThrow(/user_agent/);
    expect(() => BigQueryMeta.decode(bytes("not json"))).toThrow(/not JSON/);
  });
});
