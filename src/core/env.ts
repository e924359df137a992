// What the host (the CLI or the extension) hands the core when it composes a run: where progress lines go, how
// an API key is found, where caches live. Passed in through the registry, never set as a process-wide global.

/** A resolver for an LLM endpoint's key: the CLI reads the named environment variable; the extension reads
 * VS Code's SecretStorage. */
export type ApiKeyResolver = (settings: {
  baseURL: string;
  apiKeyEnv: string;
}) => string | undefined | Promise<string | undefined>;

export interface HostEnv {
  /** Progress and stderr lines of external evaluator commands. */
  externalLog?: (line: string) => void;
  /** Progress lines of batch adapters (JSON Lines, SLURM). */
  batchLog?: (line: string) => void;
  /** The LLM operator's API key source (default: the environment variable its settings name). */
  apiKeyFor?: ApiKeyResolver;
  /** Folder for persistent caches (live scores, measured latencies); default: LLM_NAS_CACHE_DIR or ~/.cache. */
  cacheDir?: string;
}
