import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError } from '../errors.js';

/** body-parser's error types: the request's body, not its URL, was the problem. */
const BODY_ERRORS = new Set(['entity.parse.failed', 'entity.verify.failed', 'parameters.too.many', 'charset.unsupported', 'encoding.unsupported', 'request.size.invalid']);

/** Every error answer is `{ error: { code, message } }`; unexpected failures never leak internals. */
export const errorMiddleware: ErrorRequestHandler = (error, req, res, _next) => {
  if (res.headersSent) return;
  if (error instanceof AppError) {
    if ((error.status === 429 || error.status === 503) && error.details?.retryAfterSeconds) {
      res.setHeader('Retry-After', String(error.details.retryAfterSeconds));
    }
    res.status(error.status).json({ error: { code: error.code, message: error.message, ...error.details } });
    return;
  }
  const status = typeof error?.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 500;
  if (status === 413) {
    res.status(413).json({ error: { code: 'payload_too_large', message: 'The request body is too large.' } });
    return;
  }
  if (status < 500 && BODY_ERRORS.has(error?.type)) {
    res.status(status).json({ error: { code: 'invalid_body', message: 'The request body could not be parsed: send valid JSON or form data.' } });
    return;
  }
  // A missing static file (404) or a path the static server refuses (403: dot-files, `..`).
  if (status === 404 || status === 403) return notFound(req, res, () => {});
  if (status < 500) {
    res.status(status).json({ error: { code: 'invalid_request', message: 'The request could not be read: check its address and parameters.' } });
    return;
  }
  req.log?.error({ err: error }, 'unhandled error');
  res.status(500).json({ error: { code: 'internal_error', message: 'Something went wrong on our side; try again.' } });
};

export const notFound: RequestHandler = (req, res) => {
  res.status(404).json({ error: { code: 'not_found', message: `No route for ${req.method} ${req.path}.` } });
};
