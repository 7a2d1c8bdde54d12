import fs from 'node:fs';
import path from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import YAML from 'yaml';

/** A metric family as Prometheus' text format gives it (the parser's shape). */
export interface MetricFamily {
  name: string;
  help: string;
  type: string;
  metrics: {
    labels?: Record<string, string>;
    value?: string;
    count?: string;
    sum?: string;
    buckets?: Record<string, string>;
  }[];
}

/** Scrapes a /metrics endpoint and parses it with a Prometheus text-format parser: a malformed exposition throws. */
export async function scrape(url: string): Promise<Map<string, MetricFamily>> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  const families = parsePrometheusTextFormat(await response.text()) as MetricFamily[];
  return new Map(families.map((family) => [family.name, family]));
}

/** Whether a series name PromQL selects is exported: a family, or a histogram's or summary's `_bucket`, `_sum`, `_count`. */
export function exported(families: ReadonlyMap<string, MetricFamily>, series: string): boolean {
  if (families.has(series)) return true;
  const base = series.replace(/_(bucket|sum|count)$/, '');
  return base !== series && ['histogram', 'summary'].includes(families.get(base)?.type.toLowerCase() ?? '');
}

/** The metric names a PromQL expression selects, by Prometheus' own grammar; an expression that does not parse throws. */
export function selectedMetrics(expr: string): string[] {
  const names: string[] = [];
  const errors: number[] = [];
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError) errors.push(node.from);
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector')
        names.push(expr.slice(node.from, node.to));
    },
  });
  if (errors.length > 0) throw new Error(`PromQL does not parse at ${errors[0]}: ${expr}`);
  return names;
}

const deploy = path.join(__dirname, '..', '..', 'deploy');

/** Every PromQL expression of deploy/'s alert rules and Grafana dashboard, with where it is. */
export function deployedExpressions(): { where: string; expr: string }[] {
  const rules = YAML.parse(fs.readFileSync(path.join(deploy, 'prometheus', 'alerts.yml'), 'utf8')) as {
    groups: { rules: { alert: string; expr: string }[] }[];
  };
  const dashboard = JSON.parse(fs.readFileSync(path.join(deploy, 'grafana', 'homeward.json'), 'utf8')) as {
    panels: { title: string; targets?: { expr: string }[] }[];
  };
  return [
    ...rules.groups.flatMap((group) => group.rules.map((rule) => ({ where: `alert ${rule.alert}`, expr: rule.expr }))),
    ...dashboard.panels.flatMap((panel) =>
      (panel.targets ?? []).map((target) => ({ where: `panel ${panel.title}`, expr: target.expr })),
    ),
  ];
}
