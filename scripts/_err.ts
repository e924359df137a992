import fs from 'node:fs';
import { buildNb201Net, NB201_NET_CONFIGS } from '../src/core/live/nb201-net';
import { DEFAULT_SETTINGS, LIVE_PROXIES, makeInputs, scoreNet } from '../src/core/live/scorer';
import { nb201Space } from '../src/core/nb201/space';
const fx = JSON.parse(fs.readFileSync('test/fixtures/live/nb201-proxies.json', 'utf8'));
(async () => {
  let e1 = 0, e2 = 0;
  for (const c of fx.cases) {
    const s = { ...DEFAULT_SETTINGS, proxies: LIVE_PROXIES, ...c.settings };
    const g = await scoreNet(buildNb201Net(nb201Space.parse(c.arch), NB201_NET_CONFIGS[c.dataset]!), s, makeInputs(c.dataset, s));
    e1 = Math.max(e1, Math.abs(g.expressivity! - c.proxies.expressivity) / Math.abs(c.proxies.expressivity));
    e2 = Math.max(e2, Math.abs(g.progressivity! - c.proxies.progressivity));
  }
  console.log('expressivity max rel err', e1.toExponential(2), 'progressivity max abs err', e2.toExponential(2));
  // cost of the two proxies on the data pass: 10 cells, one thread
  const archs = Array.from({ length: 10 }, (_, k) => nb201Space.fromIndex((k * 1543 + 11) % 15625));
  const time = async (proxies: readonly string[]) => {
    const s = { ...DEFAULT_SETTINGS, proxies: proxies as never };
    const t0 = performance.now();
    for (const a of archs) await scoreNet(buildNb201Net(a, NB201_NET_CONFIGS.cifar10!), s, makeInputs('cifar10', s));
    return (performance.now() - t0) / archs.length;
  };
  await time(['naswot']);
  const base = await time(['naswot', 'swap', 'meco']);
  const withE = await time(['naswot', 'swap', 'meco', 'expressivity', 'progressivity']);
  const base2 = await time(['naswot', 'swap', 'meco']);
  console.log(`data pass ms/arch: without ${base.toFixed(0)}/${base2.toFixed(0)}, with expressivity+progressivity ${withE.toFixed(0)}`);
})();
