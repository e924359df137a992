// Units of hardware metrics (no imports: the space providers use it while the registry loads).

/**
 * Units of HW-NAS-Bench's and the live evaluators' metrics by name: `*_latency` in ms, `*_energy` in mJ (the
 * built-in spaces' providers use it; a user-defined space documents no unit).
 */
export function standardHwUnits(metrics: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of metrics) {
    if (/_latency$/.test(m)) out[m] = 'ms';
    else if (/_energy$/.test(m)) out[m] = 'mJ';
  }
  return out;
}
