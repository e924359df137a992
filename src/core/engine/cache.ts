// Persistent cache of live proxy scores, keyed by canonical architecture and proxy settings: an append-only JSON
// lines file (one {k, s} per scored network, -Infinity as null), read once at open. Appends are single
// writes of whole lines, so an interrupted process leaves at most one torn line, which is skipped.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LIVE_PROXIES, type ProxyScores } from './settings.js';

let cacheDirOverride: string | undefined;

/**
 * Where the live evaluator's caches live (scores, measured ViT latencies): set by the host (the extension passes
 * its globalStorage folder; the pool hands it to its worker threads), else $LLM_NAS_CACHE_DIR, else
 * ~/.cache/llm-nas.
 */
export function setCacheDir(dir: string | undefined): void {
  cacheDirOverride = dir;
}

export function cacheDir(): string {
  return cacheDirOverride ?? process.env.LLM_NAS_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'llm-nas');
}

export function defaultCacheFile(): string {
  return path.join(cacheDir(), 'live-scores.jsonl');
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
