/**
 * amoCRM's disconnect hook (reference §4): signature = hex HMAC-SHA256 of
 * "<client_uuid>|<account_id>" keyed by our client secret. Only a valid call deletes anything.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '../errors.js';
import type { AmoCredentials } from '../config.js';

export interface DisconnectInput {
  client_uuid?: unknown;
  account_id?: unknown;
  signature?: unknown;
}

export class DisconnectAccount {
  constructor(
    private readonly credentials: AmoCredentials | null,
    /** Forgets the account (accounts/account-lifecycle.ts); says whether it was known. */
    private readonly forget: (accountId: number) => Promise<{ known: boolean }>,
  ) {}

  /** Returns whether we knew the account; throws 401 for a missing or forged call. */
  async run(input: DisconnectInput): Promise<{ accountId: number; known: boolean }> {
    if (!this.credentials) throw new AppError('not_configured', 'Set AMOCRM_CLIENT_ID, AMOCRM_CLIENT_SECRET and AMOCRM_REDIRECT_URI.');
    const { client_uuid: clientUuid, account_id: accountIdRaw, signature } = input;
    if (typeof clientUuid !== 'string' || typeof accountIdRaw !== 'string' || typeof signature !== 'string') {
      throw new AppError('invalid_signature', 'client_uuid, account_id and signature are required.');
    }
    if (!/^\d{1,15}$/.test(accountIdRaw)) throw new AppError('invalid_signature', 'account_id must be a number.');
    if (!this.signatureMatches(clientUuid, accountIdRaw, signature) || clientUuid !== this.credentials.clientId) {
      throw new AppError('invalid_signature', 'The disconnect signature does not match this integration.');
    }
    const accountId = Number(accountIdRaw);
    return { accountId, known: (await this.forget(accountId)).known };
  }

  private signatureMatches(clientUuid: string, accountId: string, signature: string): boolean {
    const expected = createHmac('sha256', this.credentials!.clientSecret).update(`${clientUuid}|${accountId}`).digest();
    if (!/^[0-9a-fA-F]{64}$/.test(signature)) return false;
    return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
  }
}
