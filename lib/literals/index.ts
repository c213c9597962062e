/** Plain JavaScript values <-> flyteidl.core.Literal, driven by the declared Flyte types. */
export { LiteralConversionError, type Role } from "./errors.js";
export { fromLiteral, literalMapToPlain } from "./from-literal.js";
export { describeType } from "./literal-type.js";
export {
  type JsonObject,
  type JsonPrimitive,
  type JsonValue,
  listValueFromJson,
  listValueToJson,
  structFromJson,
  structToJson,
  valueFromJson,
  valueToJson,
} from "./struct.js";
export { MSGPACK_TAG, pythonLiteral, pythonOutputs } from "./python.js";
export { toLiteral, toLiteralMap } from "./to-literal.js";
export {
  Duration,
  FlyteDirectory,
  FlyteFile,
  nanosWithinSecond,
  type PlainValue,
  PreciseDate,
  PythonFloat,
  pythonFloat,
  StructuredDataset,
} from "./values.js";
