// What-if for src/perf/README.md 'Session 7': a decode per-layer cost floor + perToken x G per chip class,
// fitted on two points per class, then every other point predicted. Analysis only (the simulator keeps one
// constant per class). Build first (npm run build), then: node scripts/perf-whatif-per-token.mjs

import { defaultCatalog } from '../dist/catalog/node.js';
import { defaultPerfData } from '../dist/perf/node.js';
import { fitLayerOverhead, predictPoint } from '../dist/perf/validate.js';

const data0 = defaultPerfData();
const cat = defaultCatalog();
const G = (p) => (p.setup.batch ?? 0) * (1 + (p.setup.mtp?.draftTokens ?? 0));
const withOverhead = (cls, us) => ({
  ...data0,
  classes: data0.classes.map((c) =>
    c.id === cls ? { ...c, layerOverheadUs: { ...c.layerOverheadUs, value: us } } : c,
  ),
});
const calib = {
  blackwell: ['trtllm-b200-r1-min-latency', 'sglang-gb200-decode-p1'],
  'ascend-910': ['cm384-decode-15ms', 'cm384-decode'],
  hopper: ['sglang-h20-decode-bs8', 'deepseek-h800-decode-profile'],
};
const P = Object.fromEntries(data0.validation.map((p) => [p.id, p]));
const fit = {};
for (const [cls, [lo, hi]] of Object.entries(calib)) {
  const ulo = fitLayerOverhead(data0, cat, P[lo]).raw,
    uhi = fitLayerOverhead(data0, cat, P[hi]).raw;
  const b = (uhi - ulo) / (G(P[hi]) - G(P[lo]));
  const a = ulo - b * G(P[lo]);
  fit[cls] = { a, b };
  console.log(
    cls,
    'floor',
    a.toFixed(1),
    'us, per token',
    b.toFixed(3),
    'us',
    lo,
    ulo.toFixed(0),
    hi,
    uhi.toFixed(0),
  );
}
const calibIds = new Set(Object.values(calib).flat().concat(['llama31-405b-training']));
const errs = [];
for (const p of data0.validation) {
  const r0 = predictPoint(data0, cat, p);
  const cls = r0.chipClass;
  let r = r0;
  if (fit[cls] && p.setup.kind === 'inference' && p.setup.phase === 'decode') {
    const us = Math.max(0, fit[cls].a + fit[cls].b * G(p));
    r = predictPoint(withOverhead(cls, us), cat, p);
  }
  const role = calibIds.has(p.id) ? 'calib' : 'valid';
  if (role === 'valid') errs.push(Math.abs(r.errorPct));
  console.log(
    p.id.padEnd(38),
    role,
    r0.errorPct.toFixed(1).padStart(7),
    '->',
    r.errorPct.toFixed(1).padStart(7),
  );
}
errs.sort((x, y) => x - y);
const med =
  errs.length % 2 ? errs[(errs.length - 1) / 2] : (errs[errs.length / 2 - 1] + errs[errs.length / 2]) / 2;
console.log(
  'validation points',
  errs.length,
  'median',
  med.toFixed(1),
  'over 30%:',
  errs.filter((e) => e > 30).length,
  'max',
  errs.at(-1).toFixed(1),
);
