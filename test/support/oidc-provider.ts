import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';

const SCRIPT = join(__dirname, 'oidc-provider.mjs');

export interface TestClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
  token_endpoint_auth_method?: string;
}

export interface TestIdentityProvider {
  issuer: string;
  /** Adds people to the provider's directory: account id → claims (email, preferred_username, …). */
  addAccounts(accounts: Record<string, Record<string, unknown>>): Promise<void>;
  /** The next id token is re-signed with the provider's own key after these claims are changed. */
  tamperNextIdToken(claims: Record<string, unknown>): Promise<void>;
  stop(): Promise<void>;
}

/** Starts test/support/oidc-provider.mjs (a real oidc-provider) on a loopback port of its own. */
export async function startIdentityProvider(clients: TestClient[]): Promise<TestIdentityProvider> {
  const child: ChildProcess = fork(SCRIPT, [], {
    env: { ...process.env, OIDC_TEST_CLIENTS: JSON.stringify(clients) },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const issuer = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`identity provider did not start: ${output}`)), 30_000);
    child.once('exit', (code) => reject(new Error(`identity provider exited with ${code}: ${output}`)));
    child.on('message', (message: { type: string; issuer?: string }) => {
      if (message.type === 'ready' && message.issuer) {
        clearTimeout(timer);
        resolve(message.issuer);
      }
    });
  });

  let nextId = 0;
  const send = (message: Record<string, unknown>) =>
    new Promise<void>((resolve) => {
      const id = ++nextId;
      const onMessage = (reply: { type: string; id?: number }) => {
        if (reply.type === 'done' && reply.id === id) {
          child.off('message', onMessage);
          resolve();
        }
      };
      child.on('message', onMessage);
      child.send({ ...message, id });
    });

  return {
    issuer,
    addAccounts: (accounts) => send({ type: 'accounts', accounts }),
    tamperNextIdToken: (claims) => send({ type: 'tamper', claims }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Cookies by name, as a browser would keep them for the two loopback hosts the tests talk to. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';')[0] ?? '';
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}
