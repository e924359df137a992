// Removes secrets from text the product writes (error messages, events, llm.jsonl, log lines, stderr): the API
// key's value wherever it appears (also JSON-escaped), Bearer tokens, and api-key header values. A server that
// echoes the Authorization header in its error body must not put the key in any file.

const REDACTED = '[REDACTED]';

/** Values shorter than this are not treated as secrets (they would redact ordinary words). */
const MIN_SECRET = 8;

const BEARER = /\b(Bearer)\s+[A-Za-z0-9\-._~+/]+=*/gi;
const API_KEY_HEADER = /\b((?:x-)?api[-_]key"?\s*[:=]\s*"?)[A-Za-z0-9\-._~+/]{8,}=*/gi;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `text` with every occurrence of each secret, Bearer token and api-key header value replaced. */
export function redact(text: string, secrets: Iterable<string | undefined> = []): string {
  let out = text;
  for (const s of secrets) {
    if (!s || s.length < MIN_SECRET) continue;
    const forms = new Set([s, JSON.stringify(s).slice(1, -1)]);
    for (const f of forms) if (out.includes(f)) out = out.replace(new RegExp(escapeRegExp(f), 'g'), REDACTED);
  }
  return out.replace(BEARER, `$1 ${REDACTED}`).replace(API_KEY_HEADER, `$1${REDACTED}`);
}

/** Values of environment variables that look like credentials (…KEY, …TOKEN, …SECRET, …PASSWORD),
 * for redacting what goes to stderr. */
export function secretsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  extra: readonly string[] = [],
): string[] {
  const names = Object.keys(env).filter(
    (k) => /KEY|TOKEN|SECRET|PASSW|CREDENTIAL/i.test(k) || extra.includes(k),
  );
  return names.map((k) => env[k]).filter((v): v is string => typeof v === 'string' && v.length >= MIN_SECRET);
}

/** A JSON-serialisable value with secrets removed from every string in it (a copy when anything changed). */
export function redactValue<T>(v: T, secrets: readonly string[]): T {
  const text = JSON.stringify(v);
  if (text === undefined) return v;
  const clean = redact(text, secrets);
  return clean === text ? v : (JSON.parse(clean) as T);
}

/** A redactor bound to a set of secrets that can grow (e.g. once the key has been read). */
export class Redactor {
  private readonly secrets = new Set<string>();
  constructor(initial: Iterable<string | undefined> = []) {
    for (const s of initial) this.add(s);
  }
  add(s: string | undefined): void {
    if (s && s.length >= MIN_SECRET) this.secrets.add(s);
  }
  text(t: string): string {
    return redact(t, this.secrets);
  }
  value<T>(v: T): T {
    return redactValue(v, [...this.secrets]);
  }
}

/**
 * `target` with the string (and Error) arguments of the named methods redacted — e.g. a log channel, so no line
 * it writes holds the key, whatever a server or a command echoed.
 */
export function redactingProxy<T extends object>(
  target: T,
  methods: readonly string[],
  secrets: () => (string | undefined)[],
): T {
  const clean = (a: unknown): unknown =>
    typeof a === 'string'
      ? redact(a, secrets())
      : a instanceof Error
        ? redact(a.stack ?? a.message, secrets())
        : a;
  const wrapped = new Set(methods);
  return new Proxy(target, {
    get(t, prop, receiver) {
      const v = Reflect.get(t, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      const f = v as (...a: unknown[]) => unknown;
      return typeof prop === 'string' && wrapped.has(prop)
        ? (...args: unknown[]) => f.apply(t, args.map(clean))
        : f.bind(t);
    },
  });
}
