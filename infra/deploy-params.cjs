// Checks serverless.yml's deployment params as serverless resolves its configuration (package,
// deploy, offline): a value that IAM or the functions cannot use fails here, naming the param,
// instead of deploying a grant that matches nothing or a function that answers INTERNAL. Every
// param is pasted into an ARN or an environment variable as it is, so its shape is all there is to
// check. CommonJS: serverless loads a JavaScript variable source with require().
"use strict";

const ACCOUNT = String.raw`\d{12}`;
const PARTITION = String.raw`arn:aws(?:-[a-z]+)*`;
const REGION = "[a-z]{2}(?:-[a-z]+)+-\\d";

const SECRET_ARN = new RegExp(`^${PARTITION}:secretsmanager:${REGION}:${ACCOUNT}:secret:[^\\s,]+$`);
const KMS_KEY_ARN = new RegExp(`^${PARTITION}:kms:${REGION}:${ACCOUNT}:key/[A-Za-z0-9-]+$`);
const POLICY_ARN = `${PARTITION}:iam::(?:${ACCOUNT}|aws):policy/[^\\s,]+`;

const matches = (pattern) => (value) => pattern.test(value);
const seconds = (value) => /^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= 900;

/** What each param may be, when it is not empty: [test, what a valid one is]. */
const SHAPES = {
  metaKeysParameter: [
    matches(/^\/[A-Za-z0-9_.\-/]+(?::\d+)?$/),
    'the SSM parameter\'s name from its leading "/", with an optional ":<version>" (e.g. /flyte-connectors/meta-keys:3): its IAM grant is "parameter" followed by the name',
  ],
  metaKeysSecret: [matches(SECRET_ARN), "a Secrets Manager secret's full ARN"],
  connectorSecrets: [matches(SECRET_ARN), "a Secrets Manager secret's full ARN"],
  metaKeysKmsKeyArn: [matches(KMS_KEY_ARN), "a KMS key's ARN"],
  connectorSecretsKmsKeyArn: [matches(KMS_KEY_ARN), "a KMS key's ARN"],
  plainMetas: [matches(/^(refuse|accept|write)$/), "refuse, accept or write"],
  sagemakerEndpoints: [matches(/^[a-z0-9*?-]+$/), 'one endpoint name or IAM pattern, lower case as in its ARN (e.g. "xgboost-*"): the param is one ARN'],
  sagemakerRegion: [matches(new RegExp(`^(${REGION}|\\*)$`)), 'a region, or "*"'],
  s3SensorBuckets: [matches(/^[a-z0-9.*?-]+$/), 'one bucket name or IAM pattern (e.g. "landing-*"): the param is one ARN'],
  botoPolicyArns: [matches(new RegExp(`^${POLICY_ARN}(?:,${POLICY_ARN})*$`)), "managed policy ARNs, comma-separated"],
  syncTaskTimeout: [seconds, "whole seconds from 1 to 900 (Lambda's limit)"],
  createTaskTimeout: [seconds, "whole seconds from 1 to 900 (Lambda's limit)"],
};

/** The problems of `params` (name → resolved value), each a sentence; none when all can be used. */
function problems(params) {
  const found = [];
  for (const [name, [test, valid]] of Object.entries(SHAPES)) {
    const value = params[name];
    if (value !== undefined && value !== "" && !test(value)) found.push(`${name} is ${JSON.stringify(value)}: it must be ${valid}.`);
  }
  if (params.metaKeysParameter && params.metaKeysSecret) {
    found.push("metaKeysParameter and metaKeysSecret are both given: give one (the functions would answer INTERNAL).");
  }
  return found;
}

module.exports = async ({ resolveVariable }) => {
  const params = {};
  for (const name of Object.keys(SHAPES)) {
    const value = await resolveVariable(`param:${name}`);
    params[name] = value === null || value === undefined ? "" : String(value);
  }
  const found = problems(params);
  if (found.length > 0) {
    const error = new Error(`Deployment params that cannot be used:\n  ${found.join("\n  ")}`);
    // serverless prints the stack of what a variable source throws: the message is all there is to say.
    error.stack = error.message;
    throw error;
  }
  return "checked";
};
module.exports.problems = problems;
