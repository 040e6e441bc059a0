import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { MOTO_SERVER } from './external-tool';

/**
 * A moto_server process on a free loopback port, for integration tests that talk to AWS APIs
 * through the real SDK clients (S3, SQS, EventBridge, SageMaker, ...). Generic: it knows nothing
 * about the services a test uses.
 *
 * Typical use, one server per test file (wrap the suite in `describeWithTool(MOTO_SERVER, ...)`):
 *
 *   const moto = useMotoServer();                 // beforeAll: start; afterAll: stop
 *   const s3 = new S3Client(moto.s3Config());     // endpoint, dummy credentials, path-style
 *   const sqs = new SQSClient(moto.config());
 *   beforeEach(() => moto.reset());               // optional: forget all state
 */
export interface MotoServer {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  /** Forgets every resource of every service (POST /moto-api/reset). */
  reset(): Promise<void>;
  /** Stops the process (SIGTERM, then SIGKILL after a grace period). Idempotent. */
  stop(): Promise<void>;
}

export interface StartMotoServerOptions {
  /** How long to wait for the server to answer. Default 30 s. */
  readonly startTimeoutMs?: number;
  /** Extra environment for the server process (e.g. MOTO_* settings). */
  readonly env?: Record<string, string>;
}

/** The dummy credentials every client uses against moto. */
export const MOTO_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;
/** moto's default account id. */
export const MOTO_ACCOUNT_ID = '123456789012';

/** SDK v3 client configuration for a moto server. */
export interface MotoClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Only S3 reads it: bucket in the path, since `<bucket>.127.0.0.1` does not resolve. */
  readonly forcePathStyle?: boolean;
}

const HOST = '127.0.0.1';

/** Starts moto_server on a free port and waits until it answers. */
export async function startMotoServer(options: StartMotoServerOptions = {}): Promise<MotoServer> {
  let lastError: unknown;
  // A free port can be taken between probing and binding; try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(MOTO_SERVER.command, ['-H', HOST, '-p', String(port)], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...options.env },
    });
    const stderr: string[] = [];
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr.push(chunk.toString('utf8'));
      if (stderr.length > 200) stderr.shift();
    });
    const server = new MotoProcess(child, port);
    try {
      await server.waitUntilReady(options.startTimeoutMs ?? 30_000, () => stderr.join(''));
      return server;
    } catch (error) {
      lastError = error;
      await server.stop();
    }
  }
  throw lastError;
}

/**
 * Registers jest hooks that start one moto server for the enclosing describe block and stop it
 * afterwards; returns accessors that are valid inside tests and hooks.
 */
export function useMotoServer(options: StartMotoServerOptions = {}): {
  readonly server: MotoServer;
  readonly endpoint: string;
  reset(): Promise<void>;
  /** Client configuration for any service. */
  config(region?: string): MotoClientConfig;
  /** Client configuration for S3 (path-style). */
  s3Config(region?: string): MotoClientConfig;
} {
  let server: MotoServer | undefined;
  beforeAll(async () => {
    server = await startMotoServer(options);
  }, (options.startTimeoutMs ?? 30_000) * 3 + 5_000);
  afterAll(async () => {
    await server?.stop();
  });
  const current = (): MotoServer => {
    if (!server) throw new Error('moto_server is not running: use these accessors inside tests or hooks');
    return server;
  };
  return {
    get server() {
      return current();
    },
    get endpoint() {
      return current().endpoint;
    },
    reset: () => current().reset(),
    config: (region = 'us-east-1') => motoClientConfig(current(), region),
    s3Config: (region = 'us-east-1') => ({ ...motoClientConfig(current(), region), forcePathStyle: true }),
  };
}

export function motoClientConfig(server: MotoServer, region = 'us-east-1'): MotoClientConfig {
  return { endpoint: server.endpoint, region, credentials: { ...MOTO_CREDENTIALS } };
}

class MotoProcess implements MotoServer {
  readonly endpoint: string;
  private readonly exited: Promise<void>;
  private hasExited = false;

  constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    this.endpoint = `http://${HOST}:${port}`;
    this.exited = new Promise((resolve) => {
      child.once('exit', () => {
        this.hasExited = true;
        resolve();
      });
      child.once('error', () => {
        this.hasExited = true;
        resolve();
      });
    });
  }

  async waitUntilReady(timeoutMs: number, diagnostics: () => string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.hasExited) {
        throw new Error(`moto_server exited before answering on port ${this.port}: ${diagnostics().slice(-2000)}`);
      }
      try {
        const response = await fetch(`${this.endpoint}/moto-api/data.json`, { signal: AbortSignal.timeout(1_000) });
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`moto_server did not answer on ${this.endpoint} within ${timeoutMs} ms: ${diagnostics().slice(-2000)}`);
  }

  async reset(): Promise<void> {
    const response = await fetch(`${this.endpoint}/moto-api/reset`, { method: 'POST' });
    if (!response.ok) throw new Error(`moto reset failed: HTTP ${response.status}`);
  }

  async stop(): Promise<void> {
    if (this.hasExited) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => {
      if (!this.hasExited) this.child.kill('SIGKILL');
    }, 5_000);
    await this.exited;
    clearTimeout(timer);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}
