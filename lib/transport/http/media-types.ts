/**
 * Content types (docs/CONTRACT.md §3): `application/json` is the proto3 JSON mapping,
 * `application/x-protobuf` and `application/octet-stream` binary protobuf. The request's type
 * comes from Content-Type, the response's from Accept.
 */
import { Status } from "../../connector/errors.js";
import { HttpError } from "./errors.js";

export const JSON_TYPE = "application/json";
export type MediaType = typeof JSON_TYPE | "application/x-protobuf" | "application/octet-stream";

/** In the order preferred when Accept rates several the same. */
const supported: readonly MediaType[] = [JSON_TYPE, "application/x-protobuf", "application/octet-stream"];
const supportedList = supported.join(", ");

export function isProtobuf(type: MediaType): boolean {
  return type !== JSON_TYPE;
}

/** The body's type by Content-Type (parameters such as charset ignored; JSON when absent); 415 otherwise. */
export function requestMediaType(contentType: string | undefined): MediaType {
  const essence = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (essence === "") return JSON_TYPE;
  const type = supported.find((candidate) => candidate === essence);
  if (!type) throw new HttpError(415, Status.INVALID_ARGUMENT, `Unsupported Content-Type "${essence}": use one of ${supportedList}.`);
  return type;
}

interface MediaRange {
  readonly type: string;
  readonly subtype: string;
  readonly quality: number;
}

/**
 * The response's type by Accept (RFC 9110 §12.5.1): each supported type takes the quality of the
 * most specific range that covers it (`application/json` over `application/*` over `*\/*`), the
 * highest quality above 0 wins, and ties go to `preferred`, then to JSON. Without Accept (or with
 * an empty one) it is `preferred`; when nothing supported is acceptable, 406.
 */
export function responseMediaType(accept: string | undefined, preferred: MediaType): MediaType {
  if (accept === undefined || accept.trim() === "") return preferred;
  const ranges = accept.split(",").flatMap(parseRange);
  const candidates = [preferred, ...supported.filter((type) => type !== preferred)];
  let best: { type: MediaType; quality: number } | undefined;
  for (const type of candidates) {
    const quality = qualityOf(type, ranges);
    if (quality > 0 && (!best || quality > best.quality)) best = { type, quality };
  }
  if (!best) {
    const message = `None of the accepted types "${accept}" is available: use one of ${supportedList}.`;
    throw new HttpError(406, Status.INVALID_ARGUMENT, message);
  }
  return best.type;
}

/** One `type/subtype;q=0.5` range; a malformed one is left out, a malformed q counts as 1. */
function parseRange(text: string): MediaRange[] {
  const [essence = "", ...parameters] = text.split(";").map((part) => part.trim());
  const match = /^([!#$%&'*+.^_`|~0-9a-z-]+)\/([!#$%&'*+.^_`|~0-9a-z-]+)$/i.exec(essence);
  if (!match) return [];
  const q = parameters.map((parameter) => /^q\s*=\s*([01](?:\.\d{0,3})?)$/i.exec(parameter)?.[1]).find((value) => value !== undefined);
  const quality = q === undefined ? 1 : Math.min(Number(q), 1);
  return [{ type: match[1]!.toLowerCase(), subtype: match[2]!.toLowerCase(), quality }];
}

function qualityOf(mediaType: MediaType, ranges: readonly MediaRange[]): number {
  const [type, subtype] = mediaType.split("/");
  let best: { specificity: number; quality: number } | undefined;
  for (const range of ranges) {
    const specificity = specificityOf(range, type!, subtype!);
    if (specificity > 0 && (!best || specificity > best.specificity)) best = { specificity, quality: range.quality };
  }
  return best?.quality ?? 0;
}

/** 3 for `type/subtype`, 2 for `type/*`, 1 for `*\/*`, 0 for a range that does not cover the type. */
function specificityOf(range: MediaRange, type: string, subtype: string): number {
  if (range.type === "*") return range.subtype === "*" ? 1 : 0;
  if (range.type !== type) return 0;
  if (range.subtype === subtype) return 3;
  return range.subtype === "*" ? 2 : 0;
}
