/**
 * Metric names used by a PromQL expression (dashboards, alert rules, KEDA queries), and the sample names a
 * /metrics page exposes: the two sides of "every query reads metrics the apps really export".
 */

const KEYWORDS = new Set([
  'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset',
  'inf', 'nan',
]);

export function metricNamesInPromql(expr: string): string[] {
  let s = expr;
  s = s.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""'); // string literals
  s = s.replace(/\{[^}]*\}/g, ' '); // label matchers
  s = s.replace(/\[[^\]]*\]/g, ' '); // range selectors (and Grafana's $__rate_interval inside them)
  s = s.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' '); // label lists
  s = s.replace(/\$\{?\w+\}?/g, ' '); // Grafana variables
  s = s.replace(/(^|[^\w.])\d+(\.\d+)?(e[+-]?\d+)?/gi, '$1 '); // numbers
  const names = new Set<string>();
  for (const m of s.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*(\s*\()?/g)) {
    const [token, call] = [m[0].replace(/\s*\($/, ''), m[1]];
    if (call || KEYWORDS.has(token.toLowerCase())) continue; // functions and aggregations, keywords
    names.add(token);
  }
  return [...names].sort();
}

/** Sample names on a Prometheus text exposition page (histograms give name_bucket, _sum, _count). */
export function sampleNamesInExposition(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([A-Za-z_:][A-Za-z0-9_:]*)/.exec(line);
    if (m) names.add(m[1]);
  }
  return names;
}

/** Every `expr` in a Grafana dashboard (panels, nested row panels, template variable queries). */
export function dashboardExpressions(dashboard: unknown): Array<{ where: string; expr: string }> {
  const out: Array<{ where: string; expr: string }> = [];
  const d = dashboard as {
    title?: string;
    panels?: Array<{ title?: string; targets?: Array<{ expr?: string }>; panels?: unknown[] }>;
  };
  const visit = (panels: typeof d.panels): void => {
    for (const p of panels ?? []) {
      for (const t of p.targets ?? []) if (t.expr) out.push({ where: `${d.title} / ${p.title}`, expr: t.expr });
      visit(p.panels as typeof d.panels);
    }
  };
  visit(d.panels);
  return out;
}
