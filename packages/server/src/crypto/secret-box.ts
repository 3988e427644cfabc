/**
 * Secrets the server must be able to use again (a carrier's outbound password), encrypted at rest with
 * AES-256-GCM under a key file `<dataDir>/secret.key` (32 random bytes, created 0600 at first use).
 * Shared (bottom layer, node only). Values that only need verifying (API tokens, SIP HA1s) are hashed
 * instead. Losing the key file makes the stored secrets unreadable, nothing else.
 *
 * Format of a sealed value: `v1:` + base64(12-byte IV | 16-byte tag | ciphertext).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const PREFIX = 'v1:';

/** Read the key file, creating it (0600, exclusive, so concurrent starts agree) when it is missing. */
function loadKey(file: string): Buffer {
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, randomBytes(KEY_BYTES), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const key = readFileSync(file);
  if (key.length !== KEY_BYTES) throw new Error(`the secret key file ${file} must hold exactly ${KEY_BYTES} bytes`);
  return key;
}

export class SecretBox {
  private key: Buffer | undefined;

  constructor(readonly keyFile: string) {}

  private getKey(): Buffer {
    this.key ??= loadKey(this.keyFile);
    return this.key;
  }

  seal(plain: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.getKey(), iv);
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64');
  }

  /** The plain text of a sealed value; throws when it was sealed under another key or altered. */
  open(sealed: string): string {
    if (!sealed.startsWith(PREFIX)) throw new Error('not a sealed secret');
    const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.getKey(), raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  }
}
