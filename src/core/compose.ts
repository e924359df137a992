// The composition root: the one place that names every search space and operator the product ships, and hands
// them, with the host's environment, to a Registry. The CLI and the extension each call createRegistry once
// with their own HostEnv; a new space or operator is added here (and nowhere else is wired).

import type { HostEnv } from './env.js';
import { fbnetProvider } from './fbnet/provider.js';
import { llmOperatorFactory } from './llm/index.js';
import { nb201Provider } from './nb201/provider.js';
import { BuiltinOperator } from './operator.js';
import { Registry } from './registry.js';
import { userSpaceProvider } from './userspace/provider.js';
import { vitProviders } from './vit/provider.js';

export function createRegistry(env: HostEnv = {}): Registry {
  return new Registry({
    spaces: [nb201Provider, fbnetProvider, ...vitProviders],
    operators: { builtin: () => new BuiltinOperator(), llm: llmOperatorFactory },
    // a user-defined space travels inside its run config (spaceOptions.definition)
    carriedSpace: userSpaceProvider,
    env,
  });
}
