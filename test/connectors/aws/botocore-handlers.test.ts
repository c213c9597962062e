/**
 * botocore's before-parameter-build handlers, which run before its validator (botocore/handlers.py,
 * botocore 1.43.11): the expected values are what handle_copy_source_param and inject_account_id
 * make of the same parameters.
 */
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../../lib/connector/errors.js";
import { pythonFloat } from "../../../lib/connector/python-json.js";
import { beforeParameterBuild } from "../../../lib/connectors/aws/botocore-handlers.js";
import { coerceInput } from "../../../lib/connectors/aws/coerce-input.js";

const S3 = "@aws-sdk/client-s3";
const copySource = (source: unknown, command = "CopyObjectCommand") =>
  (beforeParameterBuild(S3, command, { Bucket: "dst", Key: "k", CopySource: source as never }, "S3 could not call copy_object") as Record<string, unknown>)["CopySource"];

describe("S3 CopySource (handle_copy_source_param)", () => {
  it.each([
    ["a dict, its key encoded and its version appended", { Bucket: "src", Key: "a b/ü.txt", VersionId: "v1" }, "src/a%20b/%C3%BC.txt?versionId=v1"],
    ["a dict naming an access point", { Bucket: "arn:aws:s3:us-west-2:123456789012:accesspoint/myap", Key: "k" }, "arn%3Aaws%3As3%3Aus-west-2%3A123456789012%3Aaccesspoint/myap/object/k"],
    ["a string, encoded before its versionId", "src/a b?versionId=abc", "src/a%20b?versionId=abc"],
    ["a string with characters Python's quote escapes", "src/100%!.txt", "src/100%25%21.txt"],
  ])("%s", (_, source, expected) => {
    expect(copySource(source)).toBe(expected);
    expect(copySource(source, "UploadPartCopyCommand")).toBe(expected);
  });

  it("a dict's values that a placeholder left as no text are str() of them, as botocore's f-string makes them", () => {
    expect(copySource({ Bucket: "src", Key: pythonFloat(1), VersionId: pythonFloat(3) })).toBe("src/1.0?versionId=3.0");
    expect(copySource({ Bucket: "src", Key: null })).toBe("src/None");
    expect(copySource({ Bucket: "src", Key: true })).toBe("src/True");
    // botocore's regex search of such a bucket raises: nothing is sent.
    expect(() => copySource({ Bucket: 123, Key: "k" })).toThrow(InvalidArgumentError);
  });

  it("a dict without Key is INVALID_ARGUMENT, as botocore's ParamValidationError", () => {
    expect(() => copySource({ Bucket: "src" })).toThrow(new InvalidArgumentError("S3 could not call copy_object: Parameter validation failed:\nMissing required parameter: 'Key'"));
  });

  it("then passes the validator, whose schema wants a string", async () => {
    const { CopyObjectCommand } = await import("@aws-sdk/client-s3");
    const built = beforeParameterBuild(S3, "CopyObjectCommand", { Bucket: "dst", Key: "k", CopySource: { Bucket: "src", Key: "a b" } }, "S3");
    await expect(coerceInput(new CopyObjectCommand({} as never), built, "S3")).resolves.toEqual({ Bucket: "dst", Key: "k", CopySource: "src/a%20b" });
  });

  it("leaves other commands' parameters alone", () => {
    const params = { Bucket: "b", CopySource: { Bucket: "src", Key: "k" } };
    expect(beforeParameterBuild(S3, "PutObjectCommand", params, "S3")).toBe(params);
  });
});

describe("Glacier (inject_account_id)", () => {
  it("defaults accountId to '-', the caller's own account, and keeps one given", () => {
    expect(beforeParameterBuild("@aws-sdk/client-glacier", "ListVaultsCommand", { limit: "10" }, "Glacier")).toEqual({ limit: "10", accountId: "-" });
    expect(beforeParameterBuild("@aws-sdk/client-glacier", "ListVaultsCommand", { accountId: "123456789012" }, "Glacier")).toEqual({ accountId: "123456789012" });
    expect(beforeParameterBuild("@aws-sdk/client-glacier", "ListVaultsCommand", { accountId: null }, "Glacier")).toEqual({ accountId: "-" });
  });
});
