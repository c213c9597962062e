/** A declared flyteidl.core.LiteralType, flattened to the one case that is set. */
import { flyteidl } from "../idl/index.js";

const { SimpleType } = flyteidl.core;
const { BlobDimensionality } = flyteidl.core.BlobType;

export type DeclaredType =
  /** No type declared (null, or a LiteralType with no case set): the value's own kind decides. */
  | { readonly kind: "any" }
  | { readonly kind: "simple"; readonly simple: flyteidl.core.SimpleType }
  | { readonly kind: "schema" }
  | { readonly kind: "collection"; readonly element: flyteidl.core.ILiteralType }
  | { readonly kind: "map"; readonly value: flyteidl.core.ILiteralType }
  | { readonly kind: "blob"; readonly format: string; readonly multipart: boolean }
  | { readonly kind: "enum"; readonly values: readonly string[] }
  | { readonly kind: "structuredDataset"; readonly type: flyteidl.core.IStructuredDatasetType }
  | { readonly kind: "union"; readonly variants: readonly flyteidl.core.ILiteralType[] };

const ANY: DeclaredType = { kind: "any" };

export function declaredType(type: flyteidl.core.ILiteralType | null | undefined): DeclaredType {
  if (type == null) return ANY;
  if (type.simple != null) return { kind: "simple", simple: type.simple };
  if (type.schema != null) return { kind: "schema" };
  if (type.collectionType != null) return { kind: "collection", element: type.collectionType };
  if (type.mapValueType != null) return { kind: "map", value: type.mapValueType };
  if (type.blob != null) {
    const multipart = type.blob.dimensionality === BlobDimensionality.MULTIPART;
    return { kind: "blob", format: type.blob.format ?? "", multipart };
  }
  if (type.enumType != null) return { kind: "enum", values: type.enumType.values ?? [] };
  if (type.structuredDatasetType != null) return { kind: "structuredDataset", type: type.structuredDatasetType };
  if (type.unionType != null) return { kind: "union", variants: type.unionType.variants ?? [] };
  return ANY;
}

/** How errors name a type: `integer`, `list of float`, `union of integer | none`, ... */
export function describeType(type: flyteidl.core.ILiteralType | null | undefined): string {
  const declared = declaredType(type);
  switch (declared.kind) {
    case "any":
      return "any";
    case "simple":
      return SimpleType[declared.simple]?.toLowerCase() ?? `simple type ${declared.simple}`;
    case "schema":
      return "schema";
    case "collection":
      return `list of ${describeType(declared.element)}`;
    case "map":
      return `map of ${describeType(declared.value)}`;
    case "blob":
      return declared.multipart ? "directory" : "file";
    case "enum":
      return `enum [${declared.values.map((value) => JSON.stringify(value)).join(", ")}]`;
    case "structuredDataset":
      return "structured dataset";
    case "union":
      return `union of ${declared.variants.map(describeType).join(" | ")}`;
  }
}
