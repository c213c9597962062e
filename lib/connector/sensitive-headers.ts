/**
 * Header values that are credentials by convention (`Authorization`, `Cookie`, `X-Api-Key`, ...):
 * those a webhook task wrote into its template, and those a platform client's auth adds. They are
 * redacted like connector secrets, so a remote that echoes its request back cannot put them in a
 * message or an output. The other headers an auth adds stay readable: Google's
 * `x-goog-user-project` is a project id a message may need to name.
 */

const SENSITIVE_NAME = /^(proxy-)?authorization$|^cookie$|auth|token|secret|key|passw|session|signature|credential/i;

/** Each sensitive value; only the credential of `<scheme> <credential>`, so `Bearer` stays readable. */
export function sensitiveHeaderValues(headers: Readonly<Record<string, string>>): string[] {
  return Object.entries(headers)
    .filter(([name]) => SENSITIVE_NAME.test(name))
    .map(([, value]) => /^[A-Za-z][\w-]*\s+(\S.*)$/.exec(value)?.[1] ?? value);
}
