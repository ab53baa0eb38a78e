import { Octokit } from 'octokit';
import { toolVersion } from '../load/package-root.js';

export type { Octokit } from 'octokit';

export interface OctokitOptions {
  /** The API root: GITHUB_API_URL (github.com, GHES, or a loopback fake). */
  readonly baseUrl: string;
  readonly token: string;
  /**
   * Space writes as GitHub asks (one per second) and retry rate-limited calls once. On by default;
   * tests that run the adapters in-process against a fake turn it off to stay fast.
   */
  readonly throttle?: boolean;
  /** Retries of 5xx and network failures (octokit's retry plugin). */
  readonly retries?: number;
}

/**
 * The client options from the environment: GITHUB_API_URL, GITHUB_TOKEN (read by the caller), and
 * GROUPOPS_GITHUB_THROTTLE=0 to drop the write pacing (a GHES without secondary rate limits, a
 * loopback fake in tests).
 */
export function throttleFromEnv(env: NodeJS.ProcessEnv): boolean {
  return env.GROUPOPS_GITHUB_THROTTLE !== '0';
}

/**
 * The one place an Octokit is built. Its log is routed to stderr for warnings only: octokit never
 * logs headers, and nothing here prints the token.
 */
export function createOctokit(options: OctokitOptions): Octokit {
  const quiet = (): void => {};
  return new Octokit({
    auth: options.token,
    baseUrl: options.baseUrl,
    userAgent: `groupops/${toolVersion()}`,
    retry: { enabled: (options.retries ?? 2) > 0, retries: options.retries ?? 2 },
    ...(options.throttle === false ? { throttle: { enabled: false } } : {}),
    log: { debug: quiet, info: quiet, warn: (msg: string) => process.stderr.write(`warning: ${msg}\n`), error: quiet },
  });
}
