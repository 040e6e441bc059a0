import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent, Context } from 'aws-lambda';
import { JwtAuthorizerConfig, TokenVerifier, authorizeToken, loadJwtAuthorizerConfig, tokenVerifier } from '../api/jwt-authorizer';

const logger = new Logger();
let config: JwtAuthorizerConfig | undefined;
let verifier: TokenVerifier | undefined;

/** The platform API's JWT authorizer (REST API TOKEN authorizer): verifies the bearer token against the issuer's keys. */
export async function handler(event: APIGatewayTokenAuthorizerEvent, context: Context): Promise<APIGatewayAuthorizerResult> {
  logger.addContext(context);
  config ??= loadJwtAuthorizerConfig(process.env);
  // Built once per container: the JWKS it fetches is cached across invocations.
  verifier ??= tokenVerifier(config);
  return authorizeToken(event, verifier, config, (reason) => logger.warn('token rejected', { reason }));
}
