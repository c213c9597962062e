/**
 * Connector outputs made as the Python SDKs make them: flytekit's and flyte-sdk's connectors return
 * Python values, which TypeEngine turns into literals by the value's own type. The one difference
 * from toLiteral's inference is a dict: since flytekit 1.14 it becomes MessagePack bytes tagged
 * "msgpack" (literal type STRUCT), not a google.protobuf.Struct. So a connector that must answer
 * exactly what its Python twin answers makes its outputs here.
 */
import { encode as encodeMessagePack } from "@msgpack/msgpack";
import { flyteidl } from "../idl/index.js";
import { keyPath } from "./errors.js";
import { isPlainObject } from "./struct.js";
import { toLiteral } from "./to-literal.js";

/** flytekit >= 1.14 writes dicts and dataclasses as MessagePack in a Binary with this tag (MESSAGEPACK). */
export const MSGPACK_TAG = "msgpack";

/**
 * `value` as TypeEngine.to_literal makes it from a Python value: null none, boolean, an integer
 * number or bigint integer, any other number float, string, Date datetime, StructuredDataset a
 * structured dataset (format ""), an array a collection of each, a plain object (dict) MessagePack
 * bytes tagged "msgpack".
 */
export function pythonLiteral(value: unknown, name = "value"): flyteidl.core.Literal {
  if (Array.isArray(value)) {
    return new flyteidl.core.Literal({
      collection: { literals: value.map((item, index) => pythonLiteral(item, keyPath(name, index))) },
    });
  }
  if (isPlainObject(value)) {
    return new flyteidl.core.Literal({ scalar: { binary: { value: encodeMessagePack(value), tag: MSGPACK_TAG } } });
  }
  return toLiteral(value, null, name);
}

/** Named values as a LiteralMap, each made by pythonLiteral (flytekit's dict_to_literal_map). */
export function pythonOutputs(values: Readonly<Record<string, unknown>>): flyteidl.core.LiteralMap {
  const literals = Object.entries(values).map(([name, value]) => [name, pythonLiteral(value, JSON.stringify(name))] as const);
  return new flyteidl.core.LiteralMap({ literals: Object.fromEntries(literals) });
}
