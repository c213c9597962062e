/**
 * What botocore's before-parameter-build handlers (botocore/handlers.py BUILTIN_HANDLERS, botocore
 * 1.43.11) do to a call's parameters before it validates them, where the SDK v3 does not do the
 * same:
 * - S3 CopyObject and UploadPartCopy (handle_copy_source_param): a CopySource dict becomes
 *   `bucket/key` (`bucket/object/key` for an access point ARN) and its `?versionId=`, and a
 *   CopySource string has its part before any `?versionId=` percent-encoded; the SDK sends the
 *   header as given, where S3 wants it encoded.
 * - Glacier (inject_account_id): `accountId` defaults to "-", the caller's own account.
 */
import { InvalidArgumentError } from "../../connector/errors.js";
import { isPyDict, type PyDict, pyStr, type PyValue } from "./input-strings.js";

const VERSION_ID_SUFFIX = /\?versionId=[^\s]+$/;
const VALID_S3_ARN =
  /^arn:(aws).*:(s3|s3-object-lambda):[a-z\-0-9]*:[0-9]{12}:accesspoint[/:][a-zA-Z0-9\-.]{1,63}$|^arn:(aws).*:s3-outposts:[a-z\-0-9]+:[0-9]{12}:outpost[/:][a-zA-Z0-9-]{1,63}[/:]accesspoint[/:][a-zA-Z0-9-]{1,63}$/;

/**
 * `params` as botocore hands them to its validator, for the v3 command `command` of `packageName`;
 * `what` starts an error ("S3 could not call copy_object").
 */
export function beforeParameterBuild(packageName: string, command: string, params: PyValue, what: string): PyValue {
  if (!isPyDict(params)) return params;
  if (packageName === "@aws-sdk/client-s3" && (command === "CopyObjectCommand" || command === "UploadPartCopyCommand")) {
    const source = params["CopySource"];
    if (typeof source === "string") return { ...params, CopySource: quoteSourceHeader(source) };
    if (isPyDict(source)) return { ...params, CopySource: quoteSourceHeaderFromDict(source, what) };
  }
  if (packageName === "@aws-sdk/client-glacier" && (params["accountId"] ?? null) === null) return { ...params, accountId: "-" };
  return params;
}

function quoteSourceHeader(value: string): string {
  const suffix = VERSION_ID_SUFFIX.exec(value);
  return suffix === null ? percentEncode(value) : percentEncode(value.slice(0, suffix.index)) + suffix[0];
}

function quoteSourceHeaderFromDict(source: PyDict, what: string): string {
  for (const key of ["Bucket", "Key"]) {
    if (!Object.hasOwn(source, key)) throw new InvalidArgumentError(`${what}: Parameter validation failed:\nMissing required parameter: '${key}'`);
  }
  const bucket = source["Bucket"];
  // botocore's regex search of a bucket that is no text raises (a TypeError): nothing is sent.
  if (typeof bucket !== "string") throw new InvalidArgumentError(`${what}: Parameter validation failed:\nCopySource's Bucket must be a string.`);
  // An f-string: str() of whatever value a placeholder gave.
  const path = VALID_S3_ARN.test(bucket) ? `${bucket}/object/${pyStr(source["Key"]!)}` : `${bucket}/${pyStr(source["Key"]!)}`;
  const versionId = source["VersionId"] ?? null;
  return percentEncode(path) + (versionId === null ? "" : `?versionId=${pyStr(versionId)}`);
}

/** Python's quote(text, safe="-._~/") of the UTF-8 bytes: letters, digits and those kept, the rest %XX. */
function percentEncode(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
    .replaceAll("%2F", "/");
}
