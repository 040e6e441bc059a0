import { createSign, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';

/**
 * A test OIDC issuer: an RSA key pair made in the test, its public key served as a JWKS over a
 * local HTTP server, and RS256 tokens signed with its private key. The authorizer verifies them
 * with its real verifier; only the JWKS transport is local (plain HTTP to 127.0.0.1 instead of the
 * issuer's HTTPS URL).
 */
export class TestIssuer {
  readonly kid = randomUUID();
  private readonly privateKey: KeyObject;
  private readonly publicJwk: Record<string, unknown>;
  private server?: Server;
  /** How often the JWKS was fetched. */
  jwksFetches = 0;

  constructor(readonly issuer = 'https://login.example.com/tenant-idp') {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = pair.privateKey;
    this.publicJwk = { ...pair.publicKey.export({ format: 'jwk' }), kid: this.kid, alg: 'RS256', use: 'sig' };
  }

  get jwksUri(): string {
    const address = this.server?.address() as AddressInfo | undefined;
    if (!address) throw new Error('the test issuer is not listening');
    return `http://127.0.0.1:${address.port}/.well-known/jwks.json`;
  }

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      if (request.url !== '/.well-known/jwks.json') {
        response.writeHead(404).end();
        return;
      }
      this.jwksFetches++;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: [this.publicJwk] }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The verifier's JWKS cache, fetching over plain HTTP from this issuer (the verifier itself is unchanged). */
  jwksCache(): SimpleJwksCache {
    return new SimpleJwksCache({
      fetcher: { fetch: async (uri: string) => (await fetch(uri)).arrayBuffer() },
    });
  }

  /** A signed RS256 token with these claims (defaults: this issuer, `sub`, an hour of validity). */
  sign(claims: Record<string, unknown>, options: { key?: KeyObject; kid?: string; alg?: string } = {}): string {
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: options.alg ?? 'RS256', typ: 'JWT', kid: options.kid ?? this.kid };
    const payload = { iss: this.issuer, sub: 'user-1', iat: now, nbf: now - 5, exp: now + 3600, ...claims };
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const input = `${encode(header)}.${encode(payload)}`;
    const signature = createSign('RSA-SHA256').update(input).sign(options.key ?? this.privateKey).toString('base64url');
    return `${input}.${signature}`;
  }

  /** Another key pair's private key: tokens signed with it must not verify. */
  static strangerKey(): KeyObject {
    return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  }
}
