/**
 * The `state` we put in our own "Connect" link: a timestamp and nonce signed with the client
 * secret, so a callback carrying a state we did not issue (or a stale one) is refused.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.js';

const MAX_AGE_MS = 30 * 60 * 1000;

export class OAuthState {
  constructor(
    private readonly secret: string,
    private readonly clock: Clock,
  ) {}

  issue(): string {
    const payload = `${this.clock.now().toString(36)}.${randomBytes(9).toString('base64url')}`;
    return `${payload}.${this.sign(payload)}`;
  }

  verify(state: string): boolean {
    const parts = state.split('.');
    if (parts.length !== 3) return false;
    const payload = `${parts[0]}.${parts[1]}`;
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(parts[2]);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
    const issuedAt = parseInt(parts[0], 36);
    return Number.isFinite(issuedAt) && this.clock.now() - issuedAt < MAX_AGE_MS && issuedAt <= this.clock.now() + 60_000;
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.secret).update(`oauth-state:${payload}`).digest('base64url');
  }
}
