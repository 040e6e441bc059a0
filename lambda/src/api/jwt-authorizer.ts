import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { CognitoJwtVerifier, JwtVerifier } from 'aws-jwt-verify';
import type { JwksCache } from 'aws-jwt-verify/jwk';
import { DEFAULT_TENANT_CLAIM, JWT_AUTHORIZER_ENV } from '../../../contract/platform-api';

/** What the JWT authorizer accepts (the `PlatformApi` construct sets it). */
export interface JwtAuthorizerConfig {
  readonly issuer: string;
  readonly audiences: string[];
  readonly jwksUri: string;
  readonly tenantClaim: string;
}

/** Reads the authorizer's configuration; every missing or bad variable is named at once. */
export function loadJwtAuthorizerConfig(environment: Readonly<Record<string, string | undefined>>): JwtAuthorizerConfig {
  const problems: string[] = [];
  const issuer = environment[JWT_AUTHORIZER_ENV.ISSUER] ?? '';
  if (!/^https:\/\/[^\s]+$/.test(issuer)) problems.push(`${JWT_AUTHORIZER_ENV.ISSUER} must be the issuer's https URL (got ${JSON.stringify(issuer)})`);
  let audiences: string[] = [];
  try {
    audiences = JSON.parse(environment[JWT_AUTHORIZER_ENV.AUDIENCES] ?? '') as string[];
    if (!Array.isArray(audiences) || audiences.length === 0 || audiences.some((audience) => typeof audience !== 'string' || audience === '')) throw new Error('shape');
  } catch {
    problems.push(`${JWT_AUTHORIZER_ENV.AUDIENCES} must be a JSON list of at least one audience`);
  }
  const jwksUri = environment[JWT_AUTHORIZER_ENV.JWKS_URI] || `${issuer.replace(/\/$/, '')}/.well-known/jwks.json`;
  if (problems.length > 0) {
    throw new Error(`The JWT authorizer's environment is invalid (the PlatformApi construct sets it; redeploy):\n  ${problems.join('\n  ')}`);
  }
  return { issuer, audiences, jwksUri, tenantClaim: environment[JWT_AUTHORIZER_ENV.TENANT_CLAIM] || DEFAULT_TENANT_CLAIM };
}

/** Verifies a token's signature (issuer's JWKS), issuer, audience, expiry and not-before; throws when any fails. */
export interface TokenVerifier {
  verify(token: string): Promise<Readonly<Record<string, unknown>>>;
}

/** A Cognito user pool issuer: `https://cognito-idp.<region>.amazonaws.com/<pool id>`. */
const COGNITO_ISSUER = /^https:\/\/cognito-idp\.[a-z0-9-]+\.amazonaws\.com\/([a-z0-9-]+_[A-Za-z0-9]+)$/;

/**
 * The verifier of `aws-jwt-verify` for the issuer: Cognito user pools (ID and access tokens; an
 * access token names its app client in `client_id`, not `aud`) or any OIDC issuer (RS/ES/PS
 * algorithms, keys from its JWKS, fetched once and again for an unknown `kid`).
 */
export function tokenVerifier(config: JwtAuthorizerConfig, jwksCache?: JwksCache): TokenVerifier {
  const pool = COGNITO_ISSUER.exec(config.issuer.replace(/\/$/, ''));
  const extra = jwksCache ? { jwksCache } : undefined;
  if (pool) {
    const verifier = CognitoJwtVerifier.create({ userPoolId: pool[1], clientId: config.audiences, tokenUse: null }, extra);
    return { verify: (token) => verifier.verify(token) as Promise<Record<string, unknown>> };
  }
  const verifier = JwtVerifier.create({ issuer: config.issuer, audience: config.audiences, jwksUri: config.jwksUri }, extra);
  return { verify: (token) => verifier.verify(token) as Promise<Record<string, unknown>> };
}

/** API Gateway answers 401 to a TOKEN authorizer that fails with exactly this message. */
export const UNAUTHORIZED = 'Unauthorized';

/**
 * The TOKEN authorizer: verifies the bearer token and allows every method of the stage for it (API
 * Gateway caches the answer per token), passing the claims the API maps to a tenant — `sub`,
 * `iss` and the tenant claim (a list claim such as `cognito:groups` joined with commas) — as
 * context. Any failure is "Unauthorized" (401); why goes to `onReject`, never to the caller.
 */
export async function authorizeToken(event: Pick<APIGatewayTokenAuthorizerEvent, 'authorizationToken' | 'methodArn'>, verifier: TokenVerifier,
  config: JwtAuthorizerConfig, onReject: (reason: string) => void = () => undefined): Promise<APIGatewayAuthorizerResult> {
  const match = /^Bearer\s+(\S+)$/i.exec((event.authorizationToken ?? '').trim());
  if (!match) {
    onReject('the Authorization header is not "Bearer <token>"');
    throw new Error(UNAUTHORIZED);
  }
  let claims: Readonly<Record<string, unknown>>;
  try {
    claims = await verifier.verify(match[1]);
  } catch (error) {
    onReject(`the token does not verify: ${(error as Error).message}`);
    throw new Error(UNAUTHORIZED);
  }
  const context: Record<string, string> = {};
  for (const name of ['sub', 'iss', config.tenantClaim]) {
    const value = claims[name];
    if (typeof value === 'string') context[name] = value;
    else if (Array.isArray(value)) context[name] = value.filter((item) => typeof item === 'string').join(',');
  }
  return {
    principalId: typeof claims.sub === 'string' ? claims.sub : 'jwt',
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: stageArn(event.methodArn) }] },
    context,
  };
}

/** `arn:…:execute-api:<region>:<account>:<api>/<stage>/<method>/<path>` → `…/<api>/<stage>/*`. */
function stageArn(methodArn: string): string {
  const [base, stage] = methodArn.split('/');
  return `${base}/${stage}/*`;
}
