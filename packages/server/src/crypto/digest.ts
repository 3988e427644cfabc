/**
 * SIP digest credentials (RFC 2617, RFC 8760): the HA1 values stored per device, and the generator of
 * device passwords. Shared (bottom layer, node:crypto only): acd/ stores HA1s when agents are created,
 * the SIP registrar (sip/) will verify digests against them.
 */
import { createHash, randomBytes } from 'node:crypto';

/** Digest HA1 = H(username ":" realm ":" password) (RFC 2617 §3.2.2.2, RFC 8760 for SHA-256). */
export function ha1(algorithm: 'md5' | 'sha256', username: string, realm: string, password: string): string {
  return createHash(algorithm).update(`${username}:${realm}:${password}`).digest('hex');
}

export function sipHa1s(username: string, realm: string, password: string): { sipHa1Md5: string; sipHa1Sha256: string } {
  return { sipHa1Md5: ha1('md5', username, realm, password), sipHa1Sha256: ha1('sha256', username, realm, password) };
}

/** A random password of 20 URL-safe characters (120 bits). */
export function generatePassword(): string {
  return randomBytes(15).toString('base64url');
}
