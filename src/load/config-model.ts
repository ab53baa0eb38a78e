import type { IdentityTypeSettings } from './identity-types.js';
import type { TargetConfig } from './target-config.js';

// The config as the rest of the code reads it (loadConfig in config.ts makes it): its own module,
// so that the readers of its sections (endpoint-config.ts) and config.ts do not import each other.

/** The settings of a run: the config file's, with every default filled in. */
export interface Config {
  readonly groups?: string;
  readonly state?: string;
  readonly matchingType?: 1 | 2;
  readonly safety: { readonly maxDeletePercent: number; readonly maxDeleteCount: number; readonly maxDeleteTotal: number };
  /**
   * `maskIdentities` masks Markdown (and the github commands) by default; `maskIdentitiesSet` is
   * true when the config file writes it, and then it applies to every format.
   */
  readonly output: { readonly maskIdentities: boolean; readonly maskIdentitiesSet?: true };
  /** The identity types group files and member lists may use, and their value patterns. */
  readonly identityTypes: IdentityTypeSettings;
  readonly limits: { readonly maxFileBytes: number };
  readonly api: {
    readonly baseUrl?: string;
    readonly pathPrefix: string;
    readonly timeoutMs: number;
    readonly retries: number;
    readonly concurrency: number;
  };
  /** Where user groups go; absent: v2 (see endpoint-config.ts for the effective settings). */
  readonly userGroups?: { readonly endpoint?: 'v2' | 'v1' };
  /** The v1 import settings, as written. */
  readonly v1?: V1Settings;
  /** The customer-group import settings, as written (defaults fill the rest). */
  readonly customer?: Partial<CustomerSettings>;
  /** Named targets (tenants), by name; absent: one implicit target (see app/target.ts). */
  readonly targets?: Readonly<Record<string, TargetConfig>>;
}

/** `v1:` of the config. */
export interface V1Settings {
  readonly isMatching: boolean;
  readonly matchingType?: 1 | 2;
  readonly identifyWay?: 1 | 2;
  readonly accurateMatchType?: 'gzh' | 'workwechat' | 'YOUZAN' | 'EZR' | 'contentminiapp' | 'contenthome';
  readonly accurateMatchValue?: string;
}

/** `customer:` of the config, with every default filled in. */
export interface CustomerSettings {
  readonly isMatching: boolean;
  readonly matchingType?: 1 | 2;
  readonly identifyWay?: 1 | 2;
  readonly optType: { readonly add: string | number; readonly delete: string | number };
}
