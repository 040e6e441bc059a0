import type { ApiErrorBody } from '../../../contract/platform-api';

/** An error the API answers with: an HTTP status, a stable code and a message that says what to do. */
export class ApiError extends Error {
  constructor(
    public readonly statusCode: number,
    public readonly code: string,
    message: string,
    public readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get body(): ApiErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details !== undefined ? { details: this.details } : {}) } };
  }
}

export const badRequest = (message: string, details?: unknown) => new ApiError(400, 'BadRequest', message, details);
export const forbidden = (message: string) => new ApiError(403, 'Forbidden', message);
/** Also what a caller gets for another tenant's resource: it must not learn that the resource exists. */
export const notFound = (message: string) => new ApiError(404, 'NotFound', message);
export const conflict = (message: string) => new ApiError(409, 'Conflict', message);
export const tooLarge = (message: string) => new ApiError(413, 'PayloadTooLarge', message);
