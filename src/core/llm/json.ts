// Robust JSON extraction from model text: servers without structured outputs wrap JSON in prose or code
// fences, or truncate it. We take the first complete, parseable JSON object in the reply and say precisely
// what is wrong when there is none (the message goes back to the model in the bounded re-ask).

export class JsonExtractionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonExtractionError';
  }
}

/** Balanced `{…}` spans of `text`, string- and escape-aware, in order of their start. */
export function objectSpans(text: string, max = 20): string[] {
  const spans: string[] = [];
  for (let start = text.indexOf('{'); start >= 0; start = text.indexOf('{', start + 1)) {
    let depth = 0;
    let inString = false;
    for (let i = start; i < text.length; i++) {
      const c = text[i];
      if (inString) {
        if (c === '\\') i++;
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '"') inString = true;
      else if (c === '{') depth++;
      else if (c === '}' && --depth === 0) {
        spans.push(text.slice(start, i + 1));
        break;
      }
    }
    if (spans.length >= max) break;
  }
  return spans;
}

/** The first JSON object in a model reply (bare, fenced, or inside prose). */
export function extractJsonObject(text: string): Record<string, unknown> {
  const trimmed = text.trim();
  if (!trimmed) throw new JsonExtractionError('the reply was empty; answer with one JSON object');
  const candidates: string[] = [trimmed];
  for (const m of trimmed.matchAll(/```(?:json|JSON)?\s*\n?([\s\S]*?)```/g)) candidates.push(m[1]!.trim());
  candidates.push(...objectSpans(trimmed));
  let firstError = '';
  for (const c of candidates) {
    try {
      const v: unknown = JSON.parse(c);
      if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
      if (Array.isArray(v)) return { candidates: v };
    } catch (e) {
      firstError ||= (e as Error).message;
    }
  }
  if (!trimmed.includes('{'))
    throw new JsonExtractionError('the reply contained no JSON object; answer with one JSON object only');
  throw new JsonExtractionError(
    `the reply's JSON could not be parsed (${firstError || 'unbalanced braces'}); answer with one valid JSON object only`,
  );
}
