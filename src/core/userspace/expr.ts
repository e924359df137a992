// A tiny, safe arithmetic language for user-defined spaces' features, cost models and constraints: numbers,
// slot names (a numeric choice is its value, a text choice its position in the choice list), + - * / % ^,
// comparisons (< <= > >= == !=), && || !, parentheses, and min/max/abs/log/log2/sqrt/pow. No other names exist,
// so a space file can never run code. Compiled once into a closure.

export type Env = (name: string) => number | undefined;
export type Compiled = (env: Env) => number;

export class ExprError extends Error {
  constructor(
    message: string,
    readonly pos: number,
  ) {
    super(message);
    this.name = 'ExprError';
  }
}

const FUNCS: Record<string, (...a: number[]) => number> = {
  min: Math.min,
  max: Math.max,
  abs: Math.abs,
  log: Math.log,
  log2: Math.log2,
  sqrt: Math.sqrt,
  pow: Math.pow,
};

type Tok =
  { t: 'num'; v: number; p: number } | { t: 'id'; v: string; p: number } | { t: 'op'; v: string; p: number };

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  const re =
    /\s*(?:(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+)|([A-Za-z_][A-Za-z0-9_]*)|(<=|>=|==|!=|&&|\|\||[-+*/%^()<>!,]))/y;
  let i = 0;
  while (i < src.length) {
    if (/^\s*$/.test(src.slice(i))) break;
    re.lastIndex = i;
    const m = re.exec(src);
    if (!m) throw new ExprError(`unexpected character "${src[i]}" at ${i}`, i);
    const p = m.index + m[0].length - (m[1] ?? m[2] ?? m[3])!.length;
    if (m[1] !== undefined) out.push({ t: 'num', v: Number(m[1]), p });
    else if (m[2] !== undefined) out.push({ t: 'id', v: m[2], p });
    else out.push({ t: 'op', v: m[3]!, p });
    i = re.lastIndex;
  }
  return out;
}

/** Compiles an expression; `names` are the identifiers it may use (slot names, other features). */
export function compile(src: string, names: ReadonlySet<string>): Compiled {
  const toks = tokenize(src);
  let k = 0;
  const peek = (): Tok | undefined => toks[k];
  const isOp = (v: string): boolean => {
    const t = peek();
    return t?.t === 'op' && t.v === v;
  };
  const expect = (v: string): void => {
    if (!isOp(v))
      throw new ExprError(`expected "${v}" at ${peek()?.p ?? src.length}`, peek()?.p ?? src.length);
    k++;
  };
  const bin =
    (next: () => Compiled, ops: Record<string, (a: number, b: number) => number>) => (): Compiled => {
      let left = next();
      for (;;) {
        const t = peek();
        if (t?.t !== 'op' || !(t.v in ops)) return left;
        k++;
        const f = ops[t.v]!;
        const l = left;
        const r = next();
        left = (env) => f(l(env), r(env));
      }
    };
  const primary = (): Compiled => {
    const t = peek();
    if (!t) throw new ExprError('unexpected end of expression', src.length);
    k++;
    if (t.t === 'num') return () => t.v;
    if (t.t === 'id') {
      if (isOp('(')) {
        const f = FUNCS[t.v];
        if (!f)
          throw new ExprError(`unknown function "${t.v}"; valid: ${Object.keys(FUNCS).join(', ')}`, t.p);
        k++;
        const args: Compiled[] = [];
        if (!isOp(')'))
          for (;;) {
            args.push(or());
            if (isOp(',')) k++;
            else break;
          }
        expect(')');
        return (env) => f(...args.map((a) => a(env)));
      }
      if (!names.has(t.v))
        throw new ExprError(`unknown name "${t.v}"; valid: ${[...names].join(', ') || '(none)'}`, t.p);
      return (env) => {
        const v = env(t.v);
        if (v === undefined) throw new ExprError(`"${t.v}" has no value`, t.p);
        return v;
      };
    }
    if (t.v === '(') {
      const e = or();
      expect(')');
      return e;
    }
    if (t.v === '-') {
      const e = unary();
      return (env) => -e(env);
    }
    if (t.v === '!') {
      const e = unary();
      return (env) => (e(env) ? 0 : 1);
    }
    throw new ExprError(`unexpected "${t.v}" at ${t.p}`, t.p);
  };
  const unary = (): Compiled => primary();
  const power = (): Compiled => {
    const base = unary();
    if (isOp('^')) {
      k++;
      const e = power(); // right-associative
      return (env) => base(env) ** e(env);
    }
    return base;
  };
  const mul = bin(power, { '*': (a, b) => a * b, '/': (a, b) => a / b, '%': (a, b) => a % b });
  const add = bin(mul, { '+': (a, b) => a + b, '-': (a, b) => a - b });
  const cmp = bin(add, {
    '<': (a, b) => +(a < b),
    '<=': (a, b) => +(a <= b),
    '>': (a, b) => +(a > b),
    '>=': (a, b) => +(a >= b),
    '==': (a, b) => +(a === b),
    '!=': (a, b) => +(a !== b),
  });
  const and = bin(cmp, { '&&': (a, b) => +(!!a && !!b) });
  const or = bin(and, { '||': (a, b) => +(!!a || !!b) });
  if (toks.length === 0) throw new ExprError('empty expression', 0);
  const e = or();
  if (k < toks.length) throw new ExprError(`unexpected "${toks[k]!.v}" at ${toks[k]!.p}`, toks[k]!.p);
  return e;
}
