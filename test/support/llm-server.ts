// A real OpenAI-compatible HTTP server on 127.0.0.1 for tests: POST /v1/chat/completions, JSON responses, with
// a scripted "model" that reads the prompt (niche, constraint, parents, operation, count) and answers with valid
// proposals or knowledge-base revisions, and fault scripts (malformed JSON, wrong schema, illegal ops, duplicates,
// truncation, refusal, empty choices, 429 + retry-after, 500, hang, 401). Searches run through the real `openai`
// client against it; nothing else is ever contacted.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { nb201NicheOf } from '../../src/core/nb201/partition';
import { nb201Space, type Nb201Arch } from '../../src/core/nb201/space';
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
      generation: Number(/^Generation: (\d+)/m.exec(prompt)?.[1] ?? -1),
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
        payload = completion(body, served.n, scriptedModel(served), 'stop', null);
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

/** Parents listed in an evolve prompt. */
export function parentsOf(prompt: string): { id: string; arch: string }[] {
  return [...prompt.matchAll(/^- id=(\S+) arch=(\S+)/gm)].map((m) => ({ id: m[1]!, arch: m[2]! }));
}

/**
 * The scripted model: deterministic in the prompt. Evolve: children of the listed parents by the requested
 * operation, inside the niche, avoiding the parents and any architecture named in the problems section.
 * Knowledge-base update: rules citing the candidates that entered (or missed) the archive.
 */
export function scriptedModel(r: ServedRequest): string {
  const rng = new Rng(hashString(r.prompt));
  if (r.stage === 'kb-update') {
    const prev = [...r.prompt.matchAll(/^- id=(\S+) arch=(\S+) .*entered archive: (yes|no)/gm)];
    const rule = (m: RegExpMatchArray, good: boolean): { rule: string; evidence: string } => ({
      rule: good ? `Cells like ${m[2]} reach the archive.` : `Cells like ${m[2]} fall short of the archive.`,
      evidence: `${m[1]} ${good ? 'entered' : 'did not enter'} the archive in generation ${r.generation - 1}`,
    });
    return JSON.stringify({
      positive: prev
        .filter((m) => m[3] === 'yes')
        .slice(0, 3)
        .map((m) => rule(m, true)),
      negative: prev
        .filter((m) => m[3] === 'no')
        .slice(0, 3)
        .map((m) => rule(m, false)),
    });
  }
  const count = Number(/Return exactly (\d+) candidates/.exec(r.prompt)?.[1] ?? 1);
  const op = /## Operation: (\w+)/.exec(r.prompt)?.[1] ?? 'mutation';
  const anyNiche = /constraint: any architecture/.test(r.prompt);
  const parents = parentsOf(r.prompt).map((p) => ({ ...p, a: nb201Space.parse(p.arch) }));
  const avoid = new Set<string>([
    ...parents.map((p) => p.arch),
    ...[...r.prompt.matchAll(/(\|[a-z0-9_~|+]+\|)/g)].map((m) => m[1]!),
  ]);
  const out: { arch: string; parents: string[]; rationale: string }[] = [];
  for (let t = 0; t < 2000 && out.length < count && parents.length; t++) {
    let child: Nb201Arch;
    let from: string[];
    if (op === 'crossover' && parents.length >= 2) {
      const a = rng.pick(parents);
      const b = rng.pick(parents);
      child = nb201Space.crossover(a.a, b.a, rng);
      if (t > 50) child = nb201Space.mutate(child, rng, 1 / 6);
      from = [a.id, b.id];
    } else {
      const a = rng.pick(parents);
      child = nb201Space.mutate(a.a, rng, t > 200 ? 1 / 2 : 1 / 6);
      from = [a.id];
    }
    const s = nb201Space.format(child);
    if (avoid.has(s) || (!anyNiche && nb201NicheOf(child) !== r.niche)) continue;
    avoid.add(s);
    out.push({
      arch: s,
      parents: from,
      rationale: `${op} of ${from.join(' and ')} following the positive rules`,
    });
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
