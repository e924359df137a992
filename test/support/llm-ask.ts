// One stage-2 chat call of niche N0, generation 1: what the LLM client tests send to a loopback server.
import type { LlmClient } from '../../src/core/llm/client';

export const ask = (client: LlmClient): ReturnType<LlmClient['chat']> =>
  client.chat({
    key: 'N0/g1/evolve/0',
    niche: 0,
    generation: 1,
    stage: 'evolve',
    attempt: 0,
    messages: [{ role: 'user', content: '# Task: propose architectures for niche N0 by mutation' }],
    signal: new AbortController().signal,
  });
