import { PutObjectCommand } from '@aws-sdk/client-s3';
import { JWT_AUTHORIZER_ENV } from '../../contract/platform-api';
import { JwtAuthorizerConfig, UNAUTHORIZED, authorizeToken, loadJwtAuthorizerConfig, tokenVerifier } from '../../lambda/src/api/jwt-authorizer';
import type { LaunchPort } from '../../lambda/src/api/ports';
import { MOTO_SERVER, describeWithTool } from '../support/external-tool';
import { useMotoServer } from '../support/moto-server';
import { API_CONFIG, ApiHarness } from './support/api-harness';
import { TestIssuer } from './support/test-issuer';
import { assertBundleExists, runCli, userEnvironment } from './support/cli-runner';
import { LocalApiServer } from './support/local-api-server';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:abc123/v1/GET/datasets';
const AUDIENCE = 'platform-cli';

describe('JWT authorizer: tokens signed by a key pair made here, verified by the real verifier (aws-jwt-verify) against the issuer\'s JWKS', () => {
  const issuer = new TestIssuer();
  let config: JwtAuthorizerConfig;
  const rejections: string[] = [];
  const authorize = (header: string | undefined, verifierConfig = config) =>
    authorizeToken({ authorizationToken: header as string, methodArn: METHOD_ARN }, tokenVerifier(verifierConfig, issuer.jwksCache()), verifierConfig, (reason) => rejections.push(reason));

  beforeAll(async () => {
    await issuer.start();
    config = loadJwtAuthorizerConfig({
      [JWT_AUTHORIZER_ENV.ISSUER]: issuer.issuer,
      [JWT_AUTHORIZER_ENV.AUDIENCES]: JSON.stringify([AUDIENCE, 'other-app']),
      [JWT_AUTHORIZER_ENV.JWKS_URI]: issuer.jwksUri,
      [JWT_AUTHORIZER_ENV.TENANT_CLAIM]: 'team',
    });
  });
  afterAll(() => issuer.stop());

  test('a valid token is allowed on the whole stage, with sub, iss and the tenant claim as context', async () => {
    const result = await authorize(`Bearer ${issuer.sign({ aud: AUDIENCE, sub: 'alice', team: 'alpha', email: 'a@example.com' })}`);
    expect(result).toEqual({
      principalId: 'alice',
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: 'arn:aws:execute-api:us-east-1:123456789012:abc123/v1/*' }] },
      context: { sub: 'alice', iss: issuer.issuer, team: 'alpha' },
    });
    expect(issuer.jwksFetches).toBeGreaterThanOrEqual(1);
  });

  test('a list claim (e.g. cognito:groups) reaches the API as comma-separated values', async () => {
    const result = await authorize(`Bearer ${issuer.sign({ aud: 'other-app', team: ['alpha', 'readers'] })}`);
    expect(result.context).toMatchObject({ team: 'alpha,readers' });
  });

  const now = () => Math.floor(Date.now() / 1000);
  test.each([
    ['no Authorization header', () => undefined, 'not "Bearer <token>"'],
    ['a header without "Bearer"', () => issuer.sign({ aud: AUDIENCE }), 'not "Bearer <token>"'],
    ['an expired token', () => `Bearer ${issuer.sign({ aud: AUDIENCE, exp: now() - 60 })}`, 'expired'],
    ['a token not valid yet', () => `Bearer ${issuer.sign({ aud: AUDIENCE, nbf: now() + 600 })}`, 'can\'t be used before'],
    ['another issuer', () => `Bearer ${issuer.sign({ aud: AUDIENCE, iss: 'https://evil.example.com' })}`, 'issuer'],
    ['another audience', () => `Bearer ${issuer.sign({ aud: 'someone-else' })}`, 'audience'],
    ['no audience', () => `Bearer ${issuer.sign({})}`, 'aud'],
    ['a signature by another key (same kid)', () => `Bearer ${issuer.sign({ aud: AUDIENCE }, { key: TestIssuer.strangerKey() })}`, 'signature'],
    ['a key id the issuer does not publish', () => `Bearer ${issuer.sign({ aud: AUDIENCE }, { kid: 'unknown-kid' })}`, 'kid'],
    ['alg "none"', () => `Bearer ${issuer.sign({ aud: AUDIENCE }, { alg: 'none' }).replace(/\.[^.]+$/, '.')}`, ''],
    ['alg HS256 (a symmetric algorithm keyed with the public key)', () => `Bearer ${issuer.sign({ aud: AUDIENCE }, { alg: 'HS256' })}`, ''],
    ['garbage', () => 'Bearer not.a.jwt', ''],
  ])('%s is Unauthorized (401), with the reason logged only', async (_, header, reason) => {
    rejections.length = 0;
    await expect(authorize(header())).rejects.toThrow(new RegExp(`^${UNAUTHORIZED}$`));
    expect(rejections).toHaveLength(1);
    expect(rejections[0].toLowerCase()).toContain(reason.toLowerCase());
  });

  test.each([
    [{ [JWT_AUTHORIZER_ENV.ISSUER]: 'http://plain.example.com', [JWT_AUTHORIZER_ENV.AUDIENCES]: '["a"]' }, 'JWT_ISSUER must be the issuer\'s https URL'],
    [{ [JWT_AUTHORIZER_ENV.ISSUER]: 'https://x.example.com', [JWT_AUTHORIZER_ENV.AUDIENCES]: '[]' }, 'JWT_AUDIENCES must be a JSON list'],
  ])('a bad environment is refused at cold start: %j', (environment, message) => {
    expect(() => loadJwtAuthorizerConfig(environment)).toThrow(message);
  });

  test('defaults: the JWKS at <issuer>/.well-known/jwks.json, the tenant claim "tenant"; Cognito user pools get the Cognito verifier', () => {
    expect(loadJwtAuthorizerConfig({ [JWT_AUTHORIZER_ENV.ISSUER]: 'https://idp.example.com/', [JWT_AUTHORIZER_ENV.AUDIENCES]: '["a"]' }))
      .toEqual({ issuer: 'https://idp.example.com/', audiences: ['a'], jwksUri: 'https://idp.example.com/.well-known/jwks.json', tenantClaim: 'tenant' });
    const cognito = tokenVerifier({ issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123', audiences: ['client'], jwksUri: '', tenantClaim: 'tenant' });
    expect(cognito).toBeDefined();
  });
});

const noLaunch: LaunchPort = { launch: async () => { throw new Error('not used here'); } };

describeWithTool(MOTO_SERVER, 'JWT-authorized requests through the real handlers over moto_server: the tenant comes from the verified claim', () => {
  const moto = useMotoServer();
  const issuer = new TestIssuer();
  let api: ApiHarness;
  let config: JwtAuthorizerConfig;

  beforeAll(async () => {
    await issuer.start();
    await moto.reset();
    config = { issuer: issuer.issuer, audiences: [AUDIENCE], jwksUri: issuer.jwksUri, tenantClaim: 'tenant' };
    api = new ApiHarness(moto.s3Config(), moto.config(), noLaunch);
    await api.createBuckets();
    for (const tenant of ['alpha', 'beta']) {
      await api.s3.send(new PutObjectCommand({ Bucket: API_CONFIG.uploadBucket, Key: `uploads/${tenant}/${tenant}-set/training.zip`, Body: 'PK' }));
    }
  });
  afterAll(() => issuer.stop());

  const asToken = async (claims: Record<string, unknown>) => {
    const answer = await authorizeToken({ authorizationToken: `Bearer ${issuer.sign({ aud: AUDIENCE, ...claims })}`, methodArn: METHOD_ARN }, tokenVerifier(config, issuer.jwksCache()), config);
    return answer;
  };

  test('a token with tenant=alpha lists alpha\'s datasets only, acting with alpha\'s access role', async () => {
    const authorizer = await asToken({ sub: 'alice', tenant: 'alpha' });
    api.servicesAskedFor.length = 0;
    const answer = await api.callAuthorized<{ tenant: string; datasets: { datasetId: string }[] }>(authorizer, 'GET', '/datasets');
    expect(answer.status).toBe(200);
    expect(answer.body.tenant).toBe('alpha');
    expect(answer.body.datasets.map((dataset) => dataset.datasetId)).toEqual(['alpha-set']);
    expect(api.servicesAskedFor).toEqual(['alpha']);
  });

  test('a token whose tenant claim matches no tenant, or several, is refused (403)', async () => {
    for (const claims of [{ tenant: 'gamma' }, { tenant: 'alpha,beta' }, {}]) {
      const answer = await api.callAuthorized(await asToken({ sub: 'mallory', ...claims }), 'GET', '/datasets');
      expect({ claims, status: answer.status }).toEqual({ claims, status: 403 });
    }
  });

  test('the CLI with a bearer token (CDK_SAGEMAKER_DATASETS_TOKEN) goes through the authorizer; a bad token is a 401 (exit 1)', async () => {
    assertBundleExists();
    const verifier = tokenVerifier(config, issuer.jwksCache());
    const server = new LocalApiServer(api.service, [], 'us-east-1',
      (authorization) => authorizeToken({ authorizationToken: authorization, methodArn: METHOD_ARN }, verifier, config));
    await server.start();
    const home = mkdtempSync(join(tmpdir(), 'cli-jwt-'));
    try {
      const env = { ...userEnvironment({ accessKeyId: 'unused', secretAccessKey: 'unused', principalArn: 'unused' }, home), AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' };
      expect((await runCli(['configure', '--endpoint', server.endpoint, '--region', 'us-east-1'], env)).code).toBe(0);
      const listed = await runCli(['datasets', '--json'], { ...env, CDK_SAGEMAKER_DATASETS_TOKEN: issuer.sign({ aud: AUDIENCE, tenant: 'beta' }) });
      expect(listed.code).toBe(0);
      expect(JSON.parse(listed.stdout)).toMatchObject({ tenant: 'beta', datasets: [{ datasetId: 'beta-set' }] });
      const forged = await runCli(['datasets', '--json'], { ...env, CDK_SAGEMAKER_DATASETS_TOKEN: issuer.sign({ aud: AUDIENCE, tenant: 'alpha' }, { key: TestIssuer.strangerKey() }) });
      expect({ code: forged.code, body: JSON.parse(forged.stdout) }).toEqual({ code: 1, body: { error: { code: 'HTTP401', message: 'Unauthorized' } } });
    } finally {
      await server.stop();
      rmSync(home, { recursive: true, force: true });
    }
  }, 60_000);

  test('a tenant in the request body is refused; the claim decides', async () => {
    const authorizer = await asToken({ tenant: 'beta' });
    const answer = await api.callAuthorized(authorizer, 'POST', '/uploads', { body: { datasetId: 'x', channel: 'training', size: 10, tenant: 'alpha' } });
    expect(answer).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining('Unknown field tenant') } } });
  });
});
