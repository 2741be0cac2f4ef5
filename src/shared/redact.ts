/**
 * Removes secrets from text that may be stored or logged (error messages from Slack, SMTP or
 * the Shoptet API can echo URLs with credentials or tokens).
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text
    // user:password@ in URLs
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/)([^\s/@:]+)(?::[^\s/@]*)?@/gi, "$1[redacted]@")
    // Slack tokens
    .replace(/\bxox[abprs]-[A-Za-z0-9-]+/g, "xox?-[redacted]")
    // bearer / token headers
    .replace(/\b(bearer\s+)[^\s"']+/gi, "$1[redacted]");
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join("[redacted]");
  }
  return out;
}
