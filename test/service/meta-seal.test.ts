import { randomBytes } from "node:crypto";
import { describe, expect, test } from "vitest";
import { InvalidArgumentError, Status } from "../../lib/connector/errors.js";
import { Phase } from "../../lib/connector/phase.js";
import { ConnectorRegistry } from "../../lib/connector/registry.js";
import { SleepConnector } from "../../lib/connectors/sleep.js";
import { MetaSealer, parseMetaKeys } from "../../lib/service/meta-seal.js";
import { ConnectorService } from "../../lib/service/service.js";

const k1 = { id: "k1", key: randomBytes(32) };
const k2 = { id: "k2", key: randomBytes(32) };
const meta = new TextEncoder().encode('{"job_id": "secret-ish"}');

function openError(sealer: MetaSealer, bytes: Uint8Array, category = "sleep_v0"): InvalidArgumentError {
  try {
    sealer.open(bytes, category);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return error as InvalidArgumentError;
  }
  throw new Error("open accepted it");
}

describe("MetaSealer", () => {
  test("seals so the meta is unreadable, and opens it back", () => {
    const sealer = new MetaSealer([k1]);
    const sealed = sealer.seal(meta, "sleep_v0");
    expect(Buffer.from(sealed).includes(Buffer.from("secret-ish"))).toBe(false);
    expect(Buffer.from(sealer.open(sealed, "sleep_v0"))).toEqual(Buffer.from(meta));
  });

  test("every seal is different (random IV)", () => {
    const sealer = new MetaSealer([k1]);
    expect(Buffer.from(sealer.seal(meta, "c"))).not.toEqual(Buffer.from(sealer.seal(meta, "c")));
  });

  test("rotation: the first key seals, older keys still open", () => {
    const old = new MetaSealer([k1]).seal(meta, "sleep_v0");
    const rotated = new MetaSealer([k2, k1]);
    expect(Buffer.from(rotated.open(old, "sleep_v0"))).toEqual(Buffer.from(meta));
    const fresh = rotated.seal(meta, "sleep_v0");
    expect(openError(new MetaSealer([k1]), fresh).message).toMatch(/unknown key id "k2"/);
  });

  test("any flipped bit is rejected", () => {
    const sealer = new MetaSealer([k1]);
    const sealed = sealer.seal(meta, "sleep_v0");
    for (let i = 0; i < sealed.length; i++) {
      const tampered = Uint8Array.from(sealed);
      tampered[i]! ^= 0x01;
      expect(() => sealer.open(tampered, "sleep_v0")).toThrow(InvalidArgumentError);
    }
  });

  test("a meta sealed for another task category is rejected", () => {
    const sealer = new MetaSealer([k1]);
    expect(openError(sealer, sealer.seal(meta, "other_v0")).message).toMatch(/another task category/);
  });

  test.each([
    ["plain meta", meta],
    ["empty", new Uint8Array()],
    ["truncated", new MetaSealer([k1]).seal(meta, "sleep_v0").subarray(0, 20)],
  ])("%s is rejected with INVALID_ARGUMENT", (_, bytes) => {
    expect(openError(new MetaSealer([k1]), bytes).code).toBe(Status.INVALID_ARGUMENT);
  });

  test("bad key configuration is refused, naming keys by position only", () => {
    const short = "c2hvcnQ=";
    const good = k1.key.toString("base64");
    expect(() => new MetaSealer([])).toThrow("at least one key");
    expect(() => new MetaSealer(parseMetaKeys(`k1:${good},k:${short}`))).toThrow("Meta key 2 of 2: the key must be 32 bytes, got 5.");
    expect(() => parseMetaKeys("nocolon")).toThrow("<id>:<base64 key>");
    expect(() => new MetaSealer(parseMetaKeys(`k1:${good},k1:${good}`))).toThrow("Meta key ids must be distinct.");
  });

  test("plain metas: accepted as they are while sealing is turned on, written while it is turned off", () => {
    const sealed = new MetaSealer([k1]).seal(meta, "sleep_v0");
    const accepting = new MetaSealer([k1], "accept");
    expect(Buffer.from(accepting.open(meta, "sleep_v0"))).toEqual(Buffer.from(meta));
    expect(Buffer.from(accepting.open(sealed, "sleep_v0"))).toEqual(Buffer.from(meta));
    expect(Buffer.from(accepting.seal(meta, "sleep_v0")).subarray(0, 4).toString("latin1")).toBe("FCSM");
    // A meta that claims to be sealed is held to it: accepting plain metas is not accepting forgeries of sealed ones.
    const tampered = Uint8Array.from(sealed);
    tampered[tampered.length - 1]! ^= 0x01;
    expect(openError(accepting, tampered).message).toMatch(/altered/);
    for (const length of [4, 5, 6, 20]) expect(openError(accepting, sealed.subarray(0, length)).message).toMatch(/truncated/);

    const writing = new MetaSealer([k1], "write");
    expect(Buffer.from(writing.seal(meta, "sleep_v0"))).toEqual(Buffer.from(meta));
    expect(Buffer.from(writing.open(sealed, "sleep_v0"))).toEqual(Buffer.from(meta));
    expect(Buffer.from(writing.open(meta, "sleep_v0"))).toEqual(Buffer.from(meta));
  });

  test("a spec written the wrong way round does not quote the key it put in the id", () => {
    const reversed = `${k1.key.toString("base64")}:k1`;
    expect(() => new MetaSealer(parseMetaKeys(reversed))).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(k1.key.toString("base64")) }),
    );
  });
});

describe("a service with sealing on", () => {
  const service = new ConnectorService(new ConnectorRegistry().register(new SleepConnector()), {
    metaSealer: new MetaSealer([k1]),
  });
  const inputs = { literals: { seconds: { scalar: { primitive: { floatValue: 0 } } } } };

  test("answers sealed metas and reads them back", async () => {
    const { resourceMeta } = await service.createTask({ template: { type: "sleep" }, inputs });
    expect(new TextDecoder().decode(resourceMeta)).not.toContain("start_time");
    const { resource } = await service.getTask({ taskCategory: { name: "sleep" }, resourceMeta });
    expect(resource?.phase).toBe(Phase.SUCCEEDED);
  });

  test("refuses a plain (flytekit) meta with INVALID_ARGUMENT", async () => {
    const resourceMeta = new TextEncoder().encode('{"start_time": 1.0, "duration": 0.0}');
    await expect(service.getTask({ taskCategory: { name: "sleep" }, resourceMeta })).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
    });
  });

  test("turned on while tasks run: their plain metas still answer, new tasks get sealed ones", async () => {
    const registry = new ConnectorRegistry().register(new SleepConnector());
    const { resourceMeta: before } = await new ConnectorService(registry).createTask({ template: { type: "sleep" }, inputs });
    const migrating = new ConnectorService(registry, { metaSealer: new MetaSealer([k1], "accept") });
    expect((await migrating.getTask({ taskCategory: { name: "sleep" }, resourceMeta: before })).resource?.phase).toBe(Phase.SUCCEEDED);
    const { resourceMeta: after } = await migrating.createTask({ template: { type: "sleep" }, inputs });
    expect(Buffer.from(after).subarray(0, 4).toString("latin1")).toBe("FCSM");
    expect((await service.getTask({ taskCategory: { name: "sleep" }, resourceMeta: after })).resource?.phase).toBe(Phase.SUCCEEDED);
  });

  test("turned off while tasks run: their sealed metas still answer, new tasks get plain ones", async () => {
    const registry = new ConnectorRegistry().register(new SleepConnector());
    const { resourceMeta: before } = await service.createTask({ template: { type: "sleep" }, inputs });
    const unsealing = new ConnectorService(registry, { metaSealer: new MetaSealer([k1], "write") });
    expect((await unsealing.getTask({ taskCategory: { name: "sleep" }, resourceMeta: before })).resource?.phase).toBe(Phase.SUCCEEDED);
    const { resourceMeta: after } = await unsealing.createTask({ template: { type: "sleep" }, inputs });
    expect(new TextDecoder().decode(after)).toContain("start_time");
    expect((await new ConnectorService(registry).getTask({ taskCategory: { name: "sleep" }, resourceMeta: after })).resource?.phase).toBe(
      Phase.SUCCEEDED,
    );
  });
});
