// Calls answered from llm.jsonl instead of an endpoint: reading the file, replaying a whole recording in its
// recorded order (ReplayTransport), and answering a resumed run's repeated calls from its own records
// (RecordedReplies) so they are not paid twice.

import fs from 'node:fs';
import { LlmError } from './errors.js';
import type { ChatMessage, ChatRequest, LlmRecord } from './record.js';
import type { Transport } from './transport.js';

/** Records of an llm.jsonl file; a torn last line (killed mid-write) is ignored, any other bad line is an error. */
export function readLlmLog(file: string): LlmRecord[] {
  if (!fs.existsSync(file)) return [];
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const out: LlmRecord[] = [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    try {
      out.push(JSON.parse(line) as LlmRecord);
    } catch {
      if (lines.slice(i + 1).some((l) => l.trim()))
        throw new Error(`${file}: line ${i + 1} is not valid JSON`);
    }
  });
  return out;
}

/**
 * The recorded answers of a resumed run: a call the resumed run makes again (same key: niche, generation,
 * stage, attempt) is answered from llm.jsonl instead of being paid twice, so the interrupted generation replays
 * as it ran.
 */
export class RecordedReplies {
  /** Recorded calls not yet answered again, by key. */
  private readonly byKey = new Map<string, LlmRecord[]>();
  /** Calls answered from llm.jsonl, and how many of those had a prompt that differs from the recorded one. */
  readonly counts = { calls: 0, promptChanged: 0 };

  /**
   * Keeps a record's reply for a repeated call, unless the call got no answer (endpoint unreachable, timeout,
   * 5xx, key refused…): that one is made again, as the user may have fixed the endpoint and replaying the failure
   * would fail the resumed run the same way. True when kept.
   */
  keep(r: LlmRecord): boolean {
    if (r.error && r.error.kind !== 'unsupported-schema') return false;
    const q = this.byKey.get(r.key);
    if (q) q.push(r);
    else this.byKey.set(r.key, [r]);
    return true;
  }

  /** Keys with a recorded answer left. */
  get size(): number {
    return this.byKey.size;
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  /** The recorded answer to a call with this key (counted), and whether its prompt differs from `messages`. */
  take(key: string, messages: ChatMessage[]): { record: LlmRecord; promptChanged: boolean } | undefined {
    const q = this.byKey.get(key);
    const r = q?.shift();
    if (q && !q.length) this.byKey.delete(key);
    if (!r) return undefined;
    this.counts.calls++;
    const promptChanged = JSON.stringify(r.request.messages) !== JSON.stringify(messages);
    if (promptChanged) this.counts.promptChanged++;
    return { record: r, promptChanged };
  }
}

/**
 * Replays a recorded llm.jsonl: each call gets the recorded record with its key, and records are handed out
 * strictly in their recorded (completion) order, one per macrotask, so the run's events interleave exactly as
 * they did live. A call the recording does not have, or a recording the run stops asking for, is an error.
 */
export class ReplayTransport implements Transport {
  private next = 0;
  private readonly pending = new Map<string, (r: LlmRecord | Error) => void>();
  private scheduled = false;
  private stall: NodeJS.Timeout | undefined;

  constructor(
    private readonly records: readonly LlmRecord[],
    // long enough for a slow evaluator between two recorded replies; only a diverged replay waits this long
    private readonly stallMs = 120_000,
  ) {}

  complete(req: ChatRequest): Promise<LlmRecord> {
    if (!this.records.slice(this.next).some((r) => r.key === req.key))
      return Promise.reject(
        new LlmError(
          'replay',
          `replay diverged: the run asked for ${req.key}, which the recording does not have`,
        ),
      );
    return new Promise<LlmRecord>((resolve, reject) => {
      const onAbort = (): void => {
        this.pending.delete(req.key);
        reject(req.signal.reason);
      };
      req.signal.addEventListener('abort', onAbort, { once: true });
      this.pending.set(req.key, (r) => {
        req.signal.removeEventListener('abort', onAbort);
        if (r instanceof Error) reject(r);
        else resolve(r);
      });
      this.pump();
    });
  }

  private pump(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const rec = this.records[this.next];
      const deliver = rec && this.pending.get(rec.key);
      if (this.stall) clearTimeout(this.stall);
      this.stall = undefined;
      if (rec && deliver) {
        this.pending.delete(rec.key);
        this.next++;
        deliver(rec);
        if (this.pending.size) this.pump();
        return;
      }
      if (this.pending.size) {
        this.stall = setTimeout(() => {
          const err = new LlmError(
            'replay',
            `replay diverged: waiting for ${rec?.key ?? '(end of recording)'} but the run asked for ${[...this.pending.keys()].join(', ')}`,
          );
          for (const d of this.pending.values()) d(err);
          this.pending.clear();
        }, this.stallMs);
        this.stall.unref();
      }
    });
  }
}
