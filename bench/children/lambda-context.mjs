// A Lambda Context as the nodejs22.x runtime hands one to a handler, for bench children that
// call a function's handler outside Lambda.
let invocations = 0;

/** @param {string} functionName @param {number} timeoutMs */
export function lambdaContext(functionName, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  invocations += 1;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: "1024",
    awsRequestId: `bench-${process.pid}-${invocations}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "2025/11/24/[$LATEST]bench",
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/** The environment the Lambda runtime sets, as a deployed function sees it. */
export function lambdaEnvironment(functionName) {
  return {
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "1024",
    AWS_REGION: "us-east-1",
    AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x",
  };
}
