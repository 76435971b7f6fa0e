// Summarises a V8 .cpuprofile (node --cpu-prof) into the top functions by self time and the
// share of time per package, which is what the README quotes as evidence.
const fs = require('node:fs');
const path = require('node:path');

function ownerOf(url) {
  if (!url) return '(native/V8)';
  if (url.startsWith('node:')) return 'node core';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const m = /\/(apps|libs)\/([^/]+)\//.exec(url);
  return m ? `${m[1]}/${m[2]}` : path.basename(url);
}

/**
 * `window` (optional) keeps only the samples taken between `fromEndMs` and `toEndMs` before the
 * profile ended (the process exit), i.e. the load, not start-up (module loading) or shutdown.
 */
function summarizeProfile(file, { top = 12, window } = {}) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const hits = new Map();
  let t = profile.startTime;
  let kept = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    const beforeEndMs = (profile.endTime - t) / 1000;
    if (window && (beforeEndMs > window.fromEndMs || beforeEndMs < window.toEndMs)) continue;
    hits.set(profile.samples[i], (hits.get(profile.samples[i]) ?? 0) + 1);
    kept += 1;
  }
  const total = kept || 1;
  const bySelf = new Map();
  const byOwner = new Map();
  const specials = new Set(['(idle)', '(program)', '(garbage collector)']);
  for (const node of profile.nodes) {
    node.hitCount = hits.get(node.id) ?? 0;
    if (!node.hitCount) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName || '(anonymous)';
    const key = specials.has(name)
      ? name
      : `${name} ${url ? `${url.replace(/^.*?(node_modules|apps|libs)\//, '$1/')}:${lineNumber + 1}` : ''}`.trim();
    bySelf.set(key, (bySelf.get(key) ?? 0) + node.hitCount);
    const owner = specials.has(name) ? name : ownerOf(url);
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + node.hitCount);
  }
  const pct = (n) => Math.round((n / total) * 1000) / 10;
  const sorted = (map) => [...map.entries()].sort((a, b) => b[1] - a[1]);
  const idle = bySelf.get('(idle)') ?? 0;
  return {
    file: path.relative(path.resolve(__dirname, '../..'), file),
    samples: kept,
    window_ms: window ? Math.round(window.fromEndMs - window.toEndMs) : null,
    busy_pct: pct(total - idle),
    top_functions: sorted(bySelf)
      .filter(([k]) => k !== '(idle)')
      .slice(0, top)
      .map(([fn, n]) => ({ function: fn, self_pct: pct(n) })),
    by_package: sorted(byOwner)
      .filter(([k]) => k !== '(idle)')
      .slice(0, top)
      .map(([owner, n]) => ({ package: owner, self_pct: pct(n) })),
  };
}

/** The newest .cpuprofile in `dir` (node names them by time and pid). */
function newestProfile(dir) {
  if (!fs.existsSync(dir)) return null;
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => path.join(dir, f))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  return files[0] ?? null;
}

module.exports = { summarizeProfile, newestProfile };

if (require.main === module) console.log(JSON.stringify(summarizeProfile(process.argv[2]), null, 2));
