// What the scripted model knows of FBNet and AutoFormer: the notation (to find architectures in a prompt) and
// the niche constraint as the prompt states it ("305 ≤ flops_m < 412", "embed = 192 and depth = 13",
// "any architecture in the space"), checked with the space's own features. No benchmark data.
import { fbnetSpace } from '../../src/core/fbnet/space';
import type { SearchSpace } from '../../src/core/space';
import { vitSpace, type VitArch } from '../../src/core/vit/space';
import type { ModelWorld } from './llm-server';

/** The constraint line of a prompt, checked against an architecture's features. */
export function satisfiesConstraint(
  space: SearchSpace<unknown>,
  arch: unknown,
  prompt: string,
  extra: (a: unknown) => Record<string, number> = () => ({}),
): boolean {
  const c = /constraint: (.*)/.exec(prompt)?.[1]?.trim() ?? '';
  if (/^any architecture/.test(c)) return true;
  const f = { ...space.features(arch), ...extra(arch) };
  let m: RegExpExecArray | null;
  if ((m = /^([\d.e+-]+) ≤ (\w+) < ([\d.e+-]+)$/.exec(c)))
    return f[m[2]!]! >= Number(m[1]) && f[m[2]!]! < Number(m[3]);
  if ((m = /^(\w+) < ([\d.e+-]+)$/.exec(c))) return f[m[1]!]! < Number(m[2]);
  if ((m = /^(\w+) ≥ ([\d.e+-]+)$/.exec(c))) return f[m[1]!]! >= Number(m[2]);
  const eqs = [...c.matchAll(/(\w+) = ([\d.]+)/g)];
  if (eqs.length) return eqs.every((e) => f[e[1]!] === Number(e[2]));
  throw new Error(`the scripted model cannot read the constraint "${c}"`);
}

const BLOCK = '(?:k\\d_e\\d(?:_g2)?|skip)';

export function fbnetWorld(dataset = 'cifar100'): ModelWorld {
  const space = fbnetSpace(dataset) as unknown as SearchSpace<unknown>;
  return {
    space,
    archPattern: new RegExp(`((?:${BLOCK}\\|){21}${BLOCK})`, 'g'),
    inNiche: (a, prompt) => satisfiesConstraint(space, a, prompt),
  };
}

export function autoformerWorld(variant: 'T' | 'S' | 'B' = 'T'): ModelWorld {
  const space = vitSpace(variant) as unknown as SearchSpace<unknown>;
  return {
    space,
    archPattern: /(embed=\d+ depth=\d+ mlp=[\d.,]+ heads=[\d,]+)/g,
    inNiche: (a, prompt) =>
      satisfiesConstraint(space, a, prompt, (x) => ({
        embed: (x as VitArch).embed,
        depth: (x as VitArch).depth,
      })),
  };
}
