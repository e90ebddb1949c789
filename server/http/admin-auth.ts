import type { RequestHandler } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AppError } from '../errors.js';

/** Admin endpoints take `Authorization: Bearer <ADMIN_TOKEN>`; without ADMIN_TOKEN they are off. */
export function requireAdmin(adminToken: string | null): RequestHandler {
  const expected = adminToken ? createHash('sha256').update(adminToken).digest() : null;
  return (req, _res, next) => {
    if (!expected) throw new AppError('not_configured', 'Set ADMIN_TOKEN (16+ characters) to use the admin endpoints.');
    const given = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
    if (!given || !timingSafeEqual(createHash('sha256').update(given).digest(), expected)) {
      throw new AppError('admin_token_required', 'Send Authorization: Bearer <ADMIN_TOKEN>.');
    }
    next();
  };
}
