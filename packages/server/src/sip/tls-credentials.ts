/**
 * The certificate and key of the SIP TLS and WSS listeners (settings `sip.tlsCert`, `sip.tlsKey`, PEM
 * files). Read and parsed once at start, before anything binds, so a missing, unreadable or malformed
 * file stops the start with one ConfigInvalid naming the setting and the reason (never a stack trace
 * and never a half-started server).
 */
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { ConfigInvalid, type ErrorDetail } from '../errors.js';

export interface TlsCredentials {
  cert: Buffer;
  key: Buffer;
}

/** Load and check the pair; null when TLS is not configured (both paths null). Throws ConfigInvalid. */
export function loadTlsCredentials(certPath: string | null, keyPath: string | null): TlsCredentials | null {
  if (certPath === null && keyPath === null) return null;
  const problems: ErrorDetail[] = [];
  const read = (setting: string, path: string | null): Buffer | undefined => {
    if (path === null) {
      problems.push({ path: setting, message: 'missing: sip.tlsCert and sip.tlsKey are set together' });
      return undefined;
    }
    try {
      return readFileSync(path);
    } catch (err) {
      problems.push({ path: setting, message: `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
      return undefined;
    }
  };
  const cert = read('sip.tlsCert', certPath);
  const key = read('sip.tlsKey', keyPath);
  if (cert && key) {
    try {
      createSecureContext({ cert, key });
    } catch (err) {
      // OpenSSL's reason (e.g. "key values mismatch", "no start line"), without a stack.
      problems.push({ path: 'sip.tlsCert', message: `${certPath} / ${keyPath}: not a usable PEM certificate and key (${err instanceof Error ? err.message : String(err)})` });
    }
  }
  if (problems.length > 0 || !cert || !key) throw new ConfigInvalid(problems);
  return { cert, key };
}
