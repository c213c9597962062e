/** Shared fixtures for the literal tests: declared types and wire round trips. */
import { flyteidl } from "../../lib/idl/index.js";

const { SimpleType } = flyteidl.core;

export const NONE: flyteidl.core.ILiteralType = { simple: SimpleType.NONE };
export const INTEGER: flyteidl.core.ILiteralType = { simple: SimpleType.INTEGER };
export const FLOAT: flyteidl.core.ILiteralType = { simple: SimpleType.FLOAT };
export const STRING: flyteidl.core.ILiteralType = { simple: SimpleType.STRING };
export const BOOLEAN: flyteidl.core.ILiteralType = { simple: SimpleType.BOOLEAN };
export const DATETIME: flyteidl.core.ILiteralType = { simple: SimpleType.DATETIME };
export const DURATION: flyteidl.core.ILiteralType = { simple: SimpleType.DURATION };
export const BINARY: flyteidl.core.ILiteralType = { simple: SimpleType.BINARY };
export const STRUCT: flyteidl.core.ILiteralType = { simple: SimpleType.STRUCT };

export const listOf = (collectionType: flyteidl.core.ILiteralType): flyteidl.core.ILiteralType => ({ collectionType });
export const mapOf = (mapValueType: flyteidl.core.ILiteralType): flyteidl.core.ILiteralType => ({ mapValueType });
export const unionOf = (...variants: flyteidl.core.ILiteralType[]): flyteidl.core.ILiteralType => ({ unionType: { variants } });
export const tagged = (type: flyteidl.core.ILiteralType, tag: string): flyteidl.core.ILiteralType => ({ ...type, structure: { tag } });

/** Through the wire and back: what the other side of the connection would decode. */
export function overTheWire(literal: flyteidl.core.ILiteral): flyteidl.core.Literal {
  return flyteidl.core.Literal.decode(flyteidl.core.Literal.encode(literal).finish());
}

/** A literal in the proto3 JSON-like shape (int64 as strings), for exact comparisons. */
export function shape(literal: flyteidl.core.ILiteral): Record<string, unknown> {
  return flyteidl.core.Literal.toObject(overTheWire(literal), { longs: String, bytes: Array });
}
