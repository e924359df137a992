// Persistent cache of live proxy scores, keyed by canonical architecture and proxy settings: an append-only JSON
// lines file (one {k, s} per scored network, -Infinity as null), read once at open. Appends are single
// writes of whole lines, so an interrupted process leaves at most one torn line, which is skipped.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { LIVE_PROXIES, type ProxyScores } from './settings.js';

/**
 * Where the live evaluator's caches live (scores, measured latencies): the folder the host passes in
 * (HostEnv.cacheDir: the extension passes its globalStorage folder; the pool hands it to its worker threads),
 * else $LLM_NAS_CACHE_DIR, else ~/.cache/llm-nas.
 */
export function cacheDir(dir?: string): string {
  return dir ?? process.env.LLM_NAS_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'llm-nas');
}

export function defaultCacheFile(dir?: string): string {
  return path.join(cacheDir(dir), 'live-scores.jsonl');
}

export class ScoreCache {
  private readonly map = new Map<string, ProxyScores>();
  private loaded = false;

  constructor(readonly file: string = defaultCacheFile()) {}

  private load(): void {
    if (this.loaded) return;
    this.loaded = true;
    if (!fs.existsSync(this.file)) return;
    for (const line of fs.readFileSync(this.file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const r = JSON.parse(line) as { k: string; s: Record<string, number | null> };
        const s: ProxyScores = {};
        for (const p of LIVE_PROXIES) if (p in r.s) s[p] = r.s[p] === null ? -Infinity : r.s[p]!;
        this.map.set(r.k, s);
      } catch {
        // torn line from an interrupted write
      }
    }
  }

  get size(): number {
    this.load();
    return this.map.size;
  }

  get(key: string): ProxyScores | undefined {
    this.load();
    return this.map.get(key);
  }

  put(key: string, scores: ProxyScores): void {
    this.load();
    this.map.set(key, scores);
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    fs.appendFileSync(this.file, JSON.stringify({ k: key, s: scores }) + '\n');
  }
}

/** Measured latencies (ms) per key, kept in one JSON file per machine context (CPU, threads, how measured). */
export class LatencyCache {
  private entries: Record<string, number> = {};
  private loaded = false;
  constructor(
    readonly file: string,
    readonly context: string,
  ) {}

  private load(): void {
    if (this.loaded) return;
    this.loaded = true;
    try {
      const j = JSON.parse(fs.readFileSync(this.file, 'utf8')) as Record<string, Record<string, number>>;
      this.entries = j[this.context] ?? {};
    } catch {
      this.entries = {};
    }
  }

  get(key: string): number | undefined {
    this.load();
    return this.entries[key];
  }

  set(key: string, ms: number): void {
    this.load();
    this.entries[key] = ms;
    let all: Record<string, Record<string, number>> = {};
    try {
      all = JSON.parse(fs.readFileSync(this.file, 'utf8')) as typeof all;
    } catch {
      // new file
    }
    all[this.context] = { ...all[this.context], ...this.entries };
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    // worker threads share the pid: the thread id keeps their temporary files apart
    const tmp = `${this.file}.${process.pid}.${threadId}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(all));
    fs.renameSync(tmp, this.file);
  }
}
