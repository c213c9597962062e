/**
 * Header values a webhook task wrote into its template that are credentials by convention
 * (`Authorization`, `Cookie`, `X-Api-Key`, ...). They are redacted like connector secrets: a
 * remote that echoes its request back must not put them in the task's message or outputs.
 */

const SENSITIVE_NAME = /^(proxy-)?authorization$|^cookie$|auth|token|secret|key|passw|session|signature|credential/i;

/** Each sensitive value; only the credential of `<scheme> <credential>`, so `Bearer` stays readable. */
export function sensitiveHeaderValues(headers: Readonly<Record<string, string>>): string[] {
  return Object.entries(headers)
    .filter(([name]) => SENSITIVE_NAME.test(name))
    .map(([, value]) => /^[A-Za-z][\w-]*\s+(\S.*)$/.exec(value)?.[1] ?? value);
}
