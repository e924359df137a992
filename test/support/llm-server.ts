// A real OpenAI-compatible HTTP server on 127.0.0.1 for tests: POST /v1/chat/completions, JSON responses, with
// a scripted "model" that reads the prompt (niche, constraint, parents, operation, count) and answers with valid
// proposals or knowledge-base revisions, and fault scripts (malformed JSON, wrong schema, illegal ops, duplicates,
// truncation, refusal, empty choices, 429 + retry-after, 500, hang, 401). Searches run through the real `openai`
// client against it; nothing else is ever contacted.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { nb201NicheOf } from '../../src/core/nb201/partition';
import { nb201Space, type Nb201Arch } from '../../src/core/nb201/space';
import type { SearchSpace } from '../../src/core/space';
import { hashString, Rng } from '../../src/core/rng';

export interface ServedRequest {
  /** 1-based arrival number. */
  n: number;
  body: {
    model: string;
    messages: { role: string; content: string }[];
    temperature?: number;
    max_tokens?: number;
    max_completion_tokens?: number;
    response_format?: { type: string; json_schema?: { name: string } };
  };
  stage: 'kb-update' | 'evolve' | 'other';
  niche: number;
  generation: number;
  prompt: string;
  authorization: string | undefined;
}

export type Reply =
  | { kind: 'model' }
  | { kind: 'content'; content: string | null; finishReason?: string; refusal?: string }
  | { kind: 'choices0' }
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: 'raw'; status: number; text: string }
  | { kind: 'hang' };

export type Script = (req: ServedRequest) => Reply | undefined;

export interface ServerOptions {
  script?: Script;
  /** Milliseconds before each answer (the concurrency benchmark uses 1000). */
  delayMs?: number;
  /** Per-request delay (overrides delayMs), e.g. to shuffle the completion order of concurrent calls. */
  delayFor?: (r: ServedRequest) => number;
  /** The space the scripted model proposes in (default NB201). */
  world?: ModelWorld;
}

export class LlmTestServer {
  readonly requests: ServedRequest[] = [];
  /** Requests whose connection the client closed before an answer (aborted or timed out). */
  aborted = 0;
  inflight = 0;
  maxInflight = 0;
  onRequest: ((r: ServedRequest) => void) | undefined;
  private readonly sockets = new Set<import('node:net').Socket>();

  private constructor(
    private readonly server: http.Server,
    private readonly opts: ServerOptions,
  ) {}

  static async start(opts: ServerOptions = {}): Promise<LlmTestServer> {
    const server = http.createServer((req, res) => {
      self.handle(req, res).catch((e: unknown) => {
        res.statusCode = 500;
        res.end(String(e));
      });
    });
    const self = new LlmTestServer(server, opts);
    server.on('connection', (s) => {
      self.sockets.add(s);
      s.on('close', () => self.sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return self;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  set script(s: Script | undefined) {
    this.opts.script = s;
  }

  /** Closes the server and every connection; safe to call twice. */
  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }));
      return;
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ServedRequest['body'];
    const prompt = body.messages.map((m) => m.content).join('\n');
    const stage = /# Task: revise the knowledge base/.test(prompt)
      ? 'kb-update'
      : /# Task: propose architectures/.test(prompt)
        ? 'evolve'
        : 'other';
    const served: ServedRequest = {
      n: this.requests.length + 1,
      body,
      stage,
      niche: Number(/of niche N(\d+)/.exec(prompt)?.[1] ?? -1),
      generation: Number(
        /^Generation: (\d+)|\(generation (\d+), stage/m.exec(prompt)?.slice(1).find(Boolean) ?? -1,
      ),
      prompt,
      authorization: req.headers.authorization,
    };
    this.requests.push(served);
    this.inflight++;
    this.maxInflight = Math.max(this.maxInflight, this.inflight);
    let answered = false;
    res.on('close', () => {
      this.inflight--;
      if (!answered) this.aborted++;
    });
    this.onRequest?.(served);
    const t0 = performance.now();
    const reply = this.opts.script?.(served) ?? { kind: 'model' };
    if (reply.kind === 'hang') return;
    // the answer is computed first, so the delay is the whole answer time (the scripted model's work included)
    let status = 200;
    let payload: unknown;
    let headers: Record<string, string> = {};
    switch (reply.kind) {
      case 'status':
        status = reply.status;
        payload = reply.body ?? { error: { message: `scripted ${reply.status}` } };
        headers = reply.headers ?? {};
        break;
      case 'raw':
        status = reply.status;
        payload = reply.text;
        break;
      case 'choices0':
        payload = completion(body, served.n, null, 'stop', null, 0);
        break;
      case 'content':
        payload = completion(
          body,
          served.n,
          reply.content,
          reply.finishReason ?? 'stop',
          reply.refusal ?? null,
        );
        break;
      case 'model':
        payload = completion(body, served.n, scriptedModel(served, this.opts.world), 'stop', null);
        break;
    }
    const delay = (this.opts.delayFor?.(served) ?? this.opts.delayMs ?? 0) - (performance.now() - t0);
    if (delay > 0) {
      await new Promise((r) => setTimeout(r, delay));
      if (res.destroyed) return;
    }
    answered = true;
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
  }
}

function completion(
  body: ServedRequest['body'],
  n: number,
  content: string | null,
  finishReason: string,
  refusal: string | null,
  choices = 1,
): unknown {
  const promptTokens = Math.ceil(body.messages.reduce((k, m) => k + m.content.length, 0) / 4);
  const completionTokens = Math.ceil((content ?? refusal ?? '').length / 4);
  return {
    id: `chatcmpl-loopback-${n}`,
    object: 'chat.completion',
    created: 0,
    model: body.model,
    system_fingerprint: 'fp_loopback',
    choices: Array.from({ length: choices }, () => ({
      index: 0,
      message: { role: 'assistant', content, refusal },
      finish_reason: finishReason,
      logprobs: null,
    })),
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    },
  };
}

/** What the scripted model knows of a space: its notation and moves (never the benchmark's scores). */
export interface ModelWorld<A = unknown> {
  space: SearchSpace<A>;
  /** Architectures written in a prompt, in the space's notation. */
  archPattern: RegExp;
  /** Whether an architecture satisfies the niche the prompt describes (from the constraint text or niche id). */
  inNiche: (arch: A, prompt: string, niche: number) => boolean;
}

export const NB201_WORLD: ModelWorld<Nb201Arch> = {
  space: nb201Space,
  archPattern: /(\|[a-z0-9_]+~0\|\+\|[a-z0-9_~|]+\|\+\|[a-z0-9_~|]+\|)/g,
  // the constraint as written: "… on live edges" (--partition live) counts convolutions on live edges only
  inNiche: (a, prompt, niche) =>
    /constraint: any architecture/.test(prompt) ||
    nb201NicheOf(a, /constraint: [^\n]*on (a )?live edge/.test(prompt) ? 'live' : 'raw') === niche,
};

/** Parents named in an evolve prompt, with their architectures (old format: "- id=… arch=…" lines; new: the
 * "Parents:" line and the memory table). */
export function parentsOf(
  prompt: string,
  world: ModelWorld = NB201_WORLD as ModelWorld,
): { id: string; arch: string }[] {
  const old = [...prompt.matchAll(/^- id=(\S+) arch=(.+?) \| /gm)].map((m) => ({ id: m[1]!, arch: m[2]! }));
  if (old.length) return old;
  const line = /^Parents: (.*)\.$/m.exec(prompt)?.[1] ?? '';
  const table = memoryTable(prompt, world);
  const archive =
    /^the archive members \(in archive = yes\)(?: and, as the archive has fewer than 4, (.*))?$/.exec(line);
  const ids = archive
    ? [...table.filter((r) => r.inArchive).map((r) => r.id), ...(archive[1] ? archive[1].split(', ') : [])]
    : line.split(', ').map((x) => x.split(' ')[0]!);
  return ids.flatMap((id) => {
    const row = table.find((r) => r.id === id);
    return row ? [{ id, arch: row.arch }] : [];
  });
}

/** Rows of the prompt's memory table: "id | gN | archive | acc | costs… | by | arch". */
export function memoryTable(
  prompt: string,
  world: ModelWorld = NB201_WORLD as ModelWorld,
): { id: string; generation: number; inArchive: boolean; by: string; arch: string }[] {
  const out: { id: string; generation: number; inArchive: boolean; by: string; arch: string }[] = [];
  for (const line of prompt.split('\n')) {
    const m = /^(\S+) \| g(\d+) \| (yes|no[^|]*) \| .* \| (llm|fill-in|initial) \| (.+)$/.exec(line);
    if (!m) continue;
    if (!new RegExp(world.archPattern.source).test(m[5]!)) continue;
    out.push({ id: m[1]!, generation: Number(m[2]), inArchive: m[3] === 'yes', by: m[4]!, arch: m[5]! });
  }
  return out;
}

/**
 * The scripted model: deterministic in the prompt, and it knows only what the prompt shows (plus the space's
 * notation and moves, as a model knows the grammar). Evolve: children of the listed parents by the requested
 * operation, inside the niche, avoiding every architecture the prompt names (or one isomorphic to it) — or,
 * when the prompt lists the niche's remaining unseen cells, those. Knowledge-base update: rules citing the
 * candidates that entered (or missed) the archive.
 */
export function scriptedModel(r: ServedRequest, world: ModelWorld = NB201_WORLD as ModelWorld): string {
  const rng = new Rng(hashString(r.prompt));
  const space = world.space;
  if (r.stage === 'kb-update') {
    const table = new Map(memoryTable(r.prompt, world).map((row) => [row.id, row.arch]));
    // old prompts: "- id=… arch=… … entered archive: yes"; new: "- id (entered the archive): …"
    const prev = [
      ...[...r.prompt.matchAll(/^- id=(\S+)(?: arch=(\S+))? .*entered archive: (yes|no)/gm)].map((m) => ({
        id: m[1]!,
        arch: m[2] ?? table.get(m[1]!) ?? '?',
        yes: m[3] === 'yes',
      })),
      ...[...r.prompt.matchAll(/^- (\S+) \((entered the archive|not in the archive)\): /gm)].map((m) => ({
        id: m[1]!,
        arch: table.get(m[1]!) ?? '?',
        yes: m[2] === 'entered the archive',
      })),
    ];
    const rule = (m: { id: string; arch: string }, good: boolean): { rule: string; evidence: string } => ({
      rule: good
        ? `Cells like ${m.arch} reach the archive.`
        : `Cells like ${m.arch} fall short of the archive.`,
      evidence: `${m.id} ${good ? 'entered' : 'did not enter'} the archive in generation ${r.generation - 1}`,
    });
    return JSON.stringify({
      positive: prev
        .filter((m) => m.yes)
        .slice(0, 3)
        .map((m) => rule(m, true)),
      negative: prev
        .filter((m) => !m.yes)
        .slice(0, 3)
        .map((m) => rule(m, false)),
    });
  }
  const count = Number(/Return (?:exactly )?(\d+) candidates/.exec(r.prompt)?.[1] ?? 1);
  const op = /## Operation: (\w+)/.exec(r.prompt)?.[1] ?? 'mutation';
  const parents = parentsOf(r.prompt, world).map((p) => ({ ...p, a: space.parse(p.arch) }));
  const shown = [...r.prompt.matchAll(new RegExp(world.archPattern.source, 'g'))].map((m) => m[1] ?? m[0]);
  const avoid = new Set<string>();
  for (const s of shown)
    try {
      avoid.add(space.canonicalKey(space.parse(s)));
    } catch {
      // not an architecture after all
    }
  const out: { arch: string; parents: string[]; rationale: string }[] = [];
  const push = (child: unknown, from: string[], why: string): void => {
    const k = space.canonicalKey(child);
    if (avoid.has(k) || !world.inNiche(child, r.prompt, r.niche)) return;
    avoid.add(k);
    out.push({ arch: space.format(child), parents: from, rationale: why });
  };
  // the prompt lists every cell the niche has left: pick from those
  const listed = /They are all of the remaining choices:\n((?:- .*\n?)+)/.exec(r.prompt);
  if (listed) {
    avoid.clear();
    for (const line of listed[1]!.split('\n')) {
      const s = line.replace(/^- /, '').trim();
      if (s && out.length < count) push(space.parse(s), [], 'one of the unseen cells the prompt lists');
    }
  }
  for (let t = 0; t < 2000 && out.length < count && parents.length; t++) {
    let child: unknown;
    let from: string[];
    if (op === 'crossover' && parents.length >= 2) {
      const a = rng.pick(parents);
      const b = rng.pick(parents);
      child = space.crossover(a.a, b.a, rng);
      if (t > 50) child = space.mutate(child, rng, 1 / 6);
      from = [a.id, b.id];
    } else {
      const a = rng.pick(parents);
      child = space.mutate(a.a, rng, t > 200 ? 1 / 2 : 1 / 6);
      from = [a.id];
    }
    push(child, from, `${op} of ${from.join(' and ')} following the positive rules`);
  }
  return JSON.stringify({ candidates: out });
}

/** A port on 127.0.0.1 with nothing listening (connection refused). */
export async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
