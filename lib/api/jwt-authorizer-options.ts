import { Duration } from 'aws-cdk-lib';

/**
 * A JWT authorizer for the platform API: tokens of a Cognito user pool or of any OIDC issuer,
 * verified by a Lambda TOKEN authorizer (signature against the issuer's JWKS, issuer, audience,
 * expiry). The caller's tenant is the tenant whose `jwtClaimValues` hold the token's `tenantClaim`.
 */
export interface PlatformApiJwtAuthorizerOptions {
  /**
   * The token issuer (`iss`), an https URL: `https://cognito-idp.<region>.amazonaws.com/<user pool id>`
   * for a Cognito user pool, or any OIDC issuer (`https://login.example.com/`).
   */
  readonly issuer: string;

  /**
   * The audiences accepted: the `aud` claim (OIDC, Cognito ID tokens) or, for Cognito access
   * tokens, the app client id in `client_id`.
   */
  readonly audiences: string[];

  /**
   * Where the issuer publishes its signing keys.
   * @default - `<issuer>/.well-known/jwks.json`
   */
  readonly jwksUri?: string;

  /**
   * The claim whose value names the caller's tenant (matched against each tenant's
   * `jwtClaimValues`; a list claim such as `cognito:groups` matches when exactly one tenant's
   * values are among its values).
   * @default 'tenant'
   */
  readonly tenantClaim?: string;

  /**
   * How long API Gateway caches the authorizer's answer for a token.
   * @default Duration.minutes(5)
   */
  readonly resultsCacheTtl?: Duration;
}
