import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { PlatformApiService } from '../../../lambda/src/api/service';
import { proxyEvent } from './api-harness';

/** An IAM identity the stand-in knows: its keys and the ARN API Gateway would report for it. */
export interface LocalIdentity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly principalArn: string;
}

/**
 * A local stand-in for API Gateway with IAM authorization in front of the real API handlers:
 * it checks each request's SigV4 signature (service `execute-api`) against the secret of the
 * access key it names, refuses unsigned or badly signed requests with 403 like API Gateway, and
 * passes the signer's principal ARN to the handlers in `requestContext.identity.userArn`.
 */
export class LocalApiServer {
  private server?: Server;
  /** Requests answered, by status code. */
  readonly statusCounts = new Map<number, number>();

  constructor(
    private readonly service: PlatformApiService,
    private readonly identities: readonly LocalIdentity[],
    private readonly region = 'us-east-1',
    /** JWT mode: the TOKEN authorizer API Gateway would call with the Authorization header (throws "Unauthorized" to refuse). */
    private readonly tokenAuthorizer?: (authorization: string) => Promise<{ principalId: string; context?: Record<string, unknown> | null }>,
  ) {}

  get endpoint(): string {
    const address = this.server?.address() as AddressInfo | undefined;
    if (!address) throw new Error('the local API server is not listening');
    return `http://127.0.0.1:${address.port}/v1/`;
  }

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      this.answer(request).then(({ status, body }) => {
        this.statusCounts.set(status, (this.statusCounts.get(status) ?? 0) + 1);
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(body);
      }, (error: unknown) => {
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ message: String(error) }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async answer(request: IncomingMessage): Promise<{ status: number; body: string }> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname.replace(/^\/v1/, '') || '/';
    const query = Object.fromEntries(url.searchParams.entries());
    const event = (principalArn: string | undefined) => proxyEvent(principalArn, request.method ?? 'GET', path,
      Object.keys(query).length > 0 ? query : undefined, body === '' ? null : body);
    if (this.tokenAuthorizer) {
      // JWT mode: every method has the TOKEN authorizer; API Gateway answers 401 itself when it refuses.
      let authorizer: { principalId: string; context?: Record<string, unknown> | null };
      try {
        authorizer = await this.tokenAuthorizer(String(request.headers.authorization ?? ''));
      } catch {
        return { status: 401, body: JSON.stringify({ message: 'Unauthorized' }) };
      }
      const unsigned = event(undefined);
      const result = await this.service.handle({ ...unsigned, requestContext: { ...unsigned.requestContext, authorizer: { principalId: authorizer.principalId, ...authorizer.context } } });
      return { status: result.statusCode, body: result.body };
    }
    const identity = await this.authenticate(request, url, body);
    if (typeof identity === 'string') {
      return { status: 403, body: JSON.stringify({ message: identity }) };
    }
    const result = await this.service.handle(event(identity.principalArn));
    return { status: result.statusCode, body: result.body };
  }

  /** The identity that signed the request, or API Gateway's message for why it is refused. */
  private async authenticate(request: IncomingMessage, url: URL, body: string): Promise<LocalIdentity | string> {
    const authorization = request.headers.authorization;
    if (!authorization) return 'Missing Authentication Token';
    const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(authorization);
    if (!match) return 'Authorization header requires \'Credential\', \'SignedHeaders\' and \'Signature\' parameters.';
    const [, accessKeyId, , region, service, signedHeaders, signature] = match;
    const identity = this.identities.find((candidate) => candidate.accessKeyId === accessKeyId);
    if (!identity) return 'The security token included in the request is invalid.';
    if (region !== this.region || service !== 'execute-api') return `Credential should be scoped to a valid region and service (${this.region}/execute-api).`;
    const headers: Record<string, string> = {};
    for (const name of signedHeaders.split(';')) headers[name] = String(request.headers[name] ?? '');
    const amzDate = headers['x-amz-date'];
    const signingDate = new Date(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
    const signer = new SignatureV4({ service: 'execute-api', region, credentials: identity, sha256: Hash.bind(null, 'sha256') });
    const expected = await signer.sign(new HttpRequest({
      method: request.method, protocol: 'http:', hostname: '127.0.0.1', path: url.pathname,
      query: Object.fromEntries(url.searchParams.entries()), headers, body: body === '' ? undefined : body,
    }), { signingDate });
    const expectedSignature = /Signature=([0-9a-f]{64})/.exec(String(expected.headers.authorization))?.[1];
    if (expectedSignature !== signature) return 'The request signature we calculated does not match the signature you provided.';
    return identity;
  }
}
