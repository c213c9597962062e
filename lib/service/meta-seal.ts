/**
 * Sealed resource metas (opt-in): AES-256-GCM over the connector's meta bytes, so a meta that
 * must carry something sensitive is opaque in FlytePropeller's CRD (etcd) and cannot be forged
 * or altered by anyone without the key. The task category is authenticated too, so one
 * connector's meta is never accepted by another.
 *
 * Wire form: "FCSM" | version 1 | key-id length | key id | 12-byte IV | ciphertext | 16-byte tag.
 * Several keys may be configured: the first seals, all of them open (rotation). Plain metas (what
 * flytekit and this service write with sealing off) are refused, unless a migration says
 * otherwise (PlainMetas).
 */
import { InvalidArgumentError } from "../connector/errors.js";

/** node:crypto, loaded by the first seal or open: sealing is opt-in, and loading it costs every cold start about 2 ms. */
let cryptoModule: typeof import("node:crypto") | undefined;
const crypto = () => (cryptoModule ??= process.getBuiltinModule("node:crypto"));

const MAGIC = Buffer.from("FCSM", "latin1");
const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

export interface MetaKey {
  /** Short printable id written beside the ciphertext, so old keys keep opening old metas. */
  readonly id: string;
  /** 32 bytes. */
  readonly key: Uint8Array;
}

/**
 * What a sealer does with plain metas, so that sealing can be turned on or off while tasks run:
 * - `refuse` (the default): seal every meta, open sealed ones only;
 * - `accept`: seal every meta, and also take plain ones as they are (turning sealing on: the
 *   tasks started before keep running, but a forged plain meta is taken too, until it is over);
 * - `write`: write plain metas, and still open sealed ones (turning sealing off).
 */
export type PlainMetas = "refuse" | "accept" | "write";

export const PLAIN_METAS: readonly PlainMetas[] = ["refuse", "accept", "write"];

export class MetaSealer {
  readonly #keys: ReadonlyMap<string, Uint8Array>;
  readonly #active: MetaKey;
  readonly #plainMetas: PlainMetas;

  /** `keys[0]` seals; every key opens. */
  constructor(keys: readonly MetaKey[], plainMetas: PlainMetas = "refuse") {
    const [active] = keys;
    if (!active) throw new Error("A meta sealer needs at least one key.");
    // Keys are named by position, never by id: a spec written the wrong way round would put the
    // key where the id belongs.
    keys.forEach(({ id, key }, index) => {
      const which = `Meta key ${index + 1} of ${keys.length}`;
      if (!/^[\x21-\x7e]{1,255}$/.test(id)) throw new Error(`${which}: its id must be 1-255 printable ASCII characters.`);
      if (key.byteLength !== KEY_BYTES) throw new Error(`${which}: the key must be ${KEY_BYTES} bytes, got ${key.byteLength}.`);
    });
    if (new Set(keys.map(({ id }) => id)).size !== keys.length) throw new Error("Meta key ids must be distinct.");
    this.#active = active;
    this.#keys = new Map(keys.map(({ id, key }) => [id, key]));
    this.#plainMetas = plainMetas;
  }

  seal(meta: Uint8Array, taskCategory: string): Uint8Array {
    if (this.#plainMetas === "write") return meta;
    const id = Buffer.from(this.#active.id, "latin1");
    const iv = crypto().randomBytes(IV_BYTES);
    const header = Buffer.concat([MAGIC, Buffer.from([VERSION, id.length]), id, iv]);
    const cipher = crypto().createCipheriv("aes-256-gcm", this.#active.key, iv);
    cipher.setAAD(Buffer.concat([header, Buffer.from(taskCategory, "utf8")]));
    return Buffer.concat([header, cipher.update(meta), cipher.final(), cipher.getAuthTag()]);
  }

  /** The meta bytes, or INVALID_ARGUMENT for anything not sealed here for this category. */
  open(sealed: Uint8Array, taskCategory: string): Uint8Array {
    const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
    const fail = (why: string): never => {
      throw new InvalidArgumentError(`The resource meta is not a sealed meta of this service: ${why}.`);
    };
    if (!bytes.subarray(0, MAGIC.length).equals(MAGIC)) {
      // A plain meta is a connector's own encoding (flytekit's and ours: a JSON object), which
      // never starts with the magic.
      if (this.#plainMetas !== "refuse") return sealed;
      fail("it is not sealed");
    }
    // Started as a sealed meta, cut short: held to the sealed form like any other altered one.
    if (bytes.length < MAGIC.length + 2) fail("it is truncated");
    if (bytes[MAGIC.length] !== VERSION) fail("unknown version");
    const idLength = bytes[MAGIC.length + 1]!;
    const ivStart = MAGIC.length + 2 + idLength;
    const bodyStart = ivStart + IV_BYTES;
    if (bytes.length < bodyStart + TAG_BYTES) fail("it is truncated");
    const id = bytes.subarray(MAGIC.length + 2, ivStart).toString("latin1");
    const key = this.#keys.get(id) ?? fail(`unknown key id ${JSON.stringify(id)}`);
    const decipher = crypto().createDecipheriv("aes-256-gcm", key, bytes.subarray(ivStart, bodyStart));
    decipher.setAAD(Buffer.concat([bytes.subarray(0, bodyStart), Buffer.from(taskCategory, "utf8")]));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(bytes.subarray(bodyStart, bytes.length - TAG_BYTES)), decipher.final()]);
    } catch {
      return fail("it was altered, or sealed with another key or for another task category");
    }
  }
}

/**
 * Keys from a spec like `k2:<base64 32 bytes>,k1:<base64 32 bytes>` (first seals), as kept in
 * the environment variable FLYTE_CONNECTOR_META_KEYS or in a secret holding the same text
 * (meta-keys.ts).
 */
export function parseMetaKeys(spec: string): MetaKey[] {
  return spec
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part) => {
      const colon = part.indexOf(":");
      if (colon <= 0) throw new Error("Meta keys must be written as <id>:<base64 key>, separated by commas.");
      const id = part.slice(0, colon);
      // The key itself never goes into a message.
      return { id, key: Buffer.from(part.slice(colon + 1), "base64") };
    });
}
