/**
 * Tokens are encrypted at rest with AES-256-GCM: a file copy of the database alone gives no
 * access to anyone's amoCRM account. Layout: 12-byte IV | 16-byte tag | ciphertext.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

export class TokenCipher {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('TOKEN_ENCRYPTION_KEY must be 32 bytes');
  }

  encrypt(plaintext: string, accountId: number): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    // The account id is bound as associated data: a token row copied onto another account fails.
    cipher.setAAD(Buffer.from(String(accountId)));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]);
  }

  /** A short, non-reversible name for the key: tells whether stored tokens were encrypted with it. */
  fingerprint(): string {
    return createHmac('sha256', this.key).update('amo-address:token-key-fingerprint').digest('hex').slice(0, 16);
  }

  decrypt(blob: Buffer, accountId: number): string {
    const decipher = createDecipheriv('aes-256-gcm', this.key, blob.subarray(0, 12));
    decipher.setAAD(Buffer.from(String(accountId)));
    decipher.setAuthTag(blob.subarray(12, 28));
    return Buffer.concat([decipher.update(blob.subarray(28)), decipher.final()]).toString('utf8');
  }
}
