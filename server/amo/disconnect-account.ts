/**
 * amoCRM's disconnect hook (reference §4): signature = hex HMAC-SHA256 of
 * "<client_uuid>|<account_id>" keyed by our client secret. Only a valid call deletes anything.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Db } from '../store/database.js';
import { AppError, unauthorized } from '../errors.js';
import type { AmoCredentials } from '../config.js';

export interface DisconnectInput {
  client_uuid?: unknown;
  account_id?: unknown;
  signature?: unknown;
}

export class DisconnectAccount {
  private readonly purge;

  constructor(
    private readonly credentials: AmoCredentials | null,
    db: Db,
    private readonly onPurged: (accountId: number) => void = () => {},
  ) {
    const deleteTokens = db.prepare('DELETE FROM accounts WHERE account_id = ?');
    const deleteAddresses = db.prepare('DELETE FROM account_addresses WHERE account_id = ?');
    this.purge = db.transaction((accountId: number) => {
      const removed = deleteTokens.run(accountId).changes;
      deleteAddresses.run(accountId);
      return removed > 0;
    });
  }

  /** Returns whether we knew the account; throws 401 for a missing or forged call. */
  run(input: DisconnectInput): { accountId: number; known: boolean } {
    if (!this.credentials) throw new AppError(503, 'not_configured', 'Set AMOCRM_CLIENT_ID, AMOCRM_CLIENT_SECRET and AMOCRM_REDIRECT_URI.');
    const { client_uuid: clientUuid, account_id: accountIdRaw, signature } = input;
    if (typeof clientUuid !== 'string' || typeof accountIdRaw !== 'string' || typeof signature !== 'string') {
      throw unauthorized('invalid_signature', 'client_uuid, account_id and signature are required.');
    }
    if (!/^\d{1,15}$/.test(accountIdRaw)) throw unauthorized('invalid_signature', 'account_id must be a number.');
    if (!this.signatureMatches(clientUuid, accountIdRaw, signature) || clientUuid !== this.credentials.clientId) {
      throw unauthorized('invalid_signature', 'The disconnect signature does not match this integration.');
    }
    const accountId = Number(accountIdRaw);
    const known = this.purge(accountId) as boolean;
    this.onPurged(accountId);
    return { accountId, known };
  }

  private signatureMatches(clientUuid: string, accountId: string, signature: string): boolean {
    const expected = createHmac('sha256', this.credentials!.clientSecret).update(`${clientUuid}|${accountId}`).digest();
    if (!/^[0-9a-fA-F]{64}$/.test(signature)) return false;
    return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
  }
}
