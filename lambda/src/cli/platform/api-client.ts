import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { TrainingJobLaunchOutcome } from '../../../../contract/launch-request';
import type { ApiErrorBody } from '../../../../contract/platform-api';

/** A non-2xx answer of the platform API, with its code and message. */
export class ApiRequestError extends Error {
  constructor(
    public readonly statusCode: number,
    public readonly code: string,
    message: string,
    public readonly body?: unknown,
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

export interface ApiClientOptions {
  /** The API's base URL, e.g. `https://abc.execute-api.us-east-1.amazonaws.com/v1/`. */
  readonly endpoint: string;
  readonly region: string;
  /** The AWS profile; default: the standard chain (environment, SSO, shared files, process, container, instance). */
  readonly profile?: string;
  /** Credentials to use instead of the chain (tests). */
  readonly credentials?: AwsCredentialIdentityProvider;
  /** A bearer token (JWT) to send instead of signing: for an API with a JWT authorizer. */
  readonly bearerToken?: string;
  /** How many times a throttled (429) or failed (5xx, network) call is retried. Default 4. */
  readonly retries?: number;
}

/**
 * Calls the platform API with SigV4-signed requests (service `execute-api`), credentials from the
 * AWS SDK's standard provider chain, or with a bearer token for an API with a JWT authorizer;
 * JSON in, JSON out.
 */
export class PlatformApiClient {
  private readonly signer: SignatureV4;
  private readonly base: URL;

  constructor(private readonly options: ApiClientOptions) {
    this.base = new URL(options.endpoint.endsWith('/') ? options.endpoint : `${options.endpoint}/`);
    this.signer = new SignatureV4({
      service: 'execute-api',
      region: options.region,
      credentials: options.credentials ?? fromNodeProviderChain(options.profile ? { profile: options.profile } : {}),
      sha256: Hash.bind(null, 'sha256'),
    });
  }

  /** The API's base URL. */
  get endpoint(): string {
    return this.base.toString();
  }

  get<T>(path: string, query: Record<string, string | undefined> = {}): Promise<T> {
    return this.request<T>('GET', path, query);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, {}, body);
  }

  delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', path, {});
  }

  async request<T>(method: string, path: string, query: Record<string, string | undefined>, body?: unknown): Promise<T> {
    const url = new URL(path.replace(/^\//, ''), this.base);
    const definedQuery = Object.fromEntries(Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined));
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const retries = this.options.retries ?? 4;
    for (let attempt = 0; ; attempt++) {
      const request = new HttpRequest({
        method,
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port ? Number(url.port) : undefined,
        path: url.pathname,
        query: definedQuery,
        headers: { host: url.host, accept: 'application/json', ...(payload !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: payload,
      });
      const signed = this.options.bearerToken
        ? { headers: { ...request.headers, authorization: `Bearer ${this.options.bearerToken}` } }
        : await this.signer.sign(request);
      const search = new URLSearchParams(definedQuery).toString();
      let response: Response;
      try {
        response = await fetch(`${url.origin}${url.pathname}${search ? `?${search}` : ''}`, {
          method, headers: signed.headers as Record<string, string>, body: payload,
        });
      } catch (error) {
        if (attempt < retries) {
          await backoff(attempt);
          continue;
        }
        throw new Error(`cannot reach the platform API at ${url.origin}: ${(error as Error).cause ?? (error as Error).message}`);
      }
      const text = await response.text();
      if ((response.status === 429 || response.status >= 500) && attempt < retries) {
        await backoff(attempt);
        continue;
      }
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      if (response.ok || (response.status === 400 && isLaunchRejection(parsed)) || response.status === 207) {
        return parsed as T;
      }
      const error = (parsed as ApiErrorBody | undefined)?.error;
      // API Gateway's own refusals (missing or bad signature, no permission) answer { "message": … }.
      const gatewayMessage = (parsed as { message?: string; Message?: string } | undefined)?.message ?? (parsed as { Message?: string } | undefined)?.Message;
      throw new ApiRequestError(response.status, error?.code ?? (response.status === 403 ? 'AccessDenied' : `HTTP${response.status}`),
        error?.message ?? gatewayMessage ?? (text.slice(0, 500) || response.statusText), parsed);
    }
  }
}

/** The launcher's rejection is a 400 whose body lists every field error: the caller prints them. */
function isLaunchRejection(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { outcome?: unknown }).outcome === TrainingJobLaunchOutcome.REJECTED;
}

function backoff(attempt: number): Promise<void> {
  const delay = Math.min(8000, 250 * 2 ** attempt) * (0.5 + Math.random() / 2);
  return new Promise((resolve) => setTimeout(resolve, delay));
}
