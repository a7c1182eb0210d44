// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${...} here are Grafana variables, not JavaScript.
/**
 * The Grafana dashboards, Prometheus rules and deployment files, checked without running Grafana, Docker or
 * Kubernetes (none runs here): the dashboard JSON structurally (no package ships Grafana's dashboard schema as
 * JSON Schema; @grafana/schema has TypeScript types only), the rules and Prometheus configs with promtool
 * (check + unit tests), the budgets generator, and the collector configs by starting the real collector on them.
 * The PromQL of every panel and rule is run against a real Prometheus in dashboards-prometheus.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { budgetRules, parseBudgets } from '../dashboards/budgets.mjs';
import { render } from '../dashboards/generate.mjs';
import { startCollector, tempDir } from './support/collector.js';
import { promtool } from './support/prometheus.js';

const root = path.resolve(import.meta.dirname, '..');
const dashboardsDir = path.join(root, 'dashboards/grafana');
const rulesDir = path.join(root, 'dashboards/prometheus');
const deployDir = path.join(root, 'deploy');

// biome-ignore lint/suspicious/noExplicitAny: dashboard JSON is checked field by field below.
type Json = any;

const DASHBOARD_FILES = ['ailedger-spend.json', 'ailedger-operations.json', 'ailedger-drilldown.json'];
const LABEL_VARIABLES = ['team', 'use_case', 'provider', 'model', 'service', 'environment'];
/** Grafana's global variables the queries may use. */
const BUILTIN_VARIABLES = new Set([
  '__all',
  '__range',
  '__range_s',
  '__interval',
  '__interval_ms',
  '__rate_interval',
  '__from',
  '__to',
  '__org',
  '__data',
]);
/** Units a value may be shown in (Grafana unit ids): money, time, counts, tokens, shares, bytes. */
const UNITS = new Set([
  'currencyUSD',
  's',
  'ms',
  'short',
  'none',
  'reqps',
  'cps',
  'bytes',
  'percentunit',
  'suffix: tokens',
  'suffix: tokens/s',
]);

function load(file: string): Json {
  return JSON.parse(fs.readFileSync(path.join(dashboardsDir, file), 'utf8'));
}

function panelsOf(d: Json): Json[] {
  return d.panels.filter((p: Json) => p.type !== 'row');
}

/** Every `$name` / `${name}` / `${name:format}` in a string. */
function variablesIn(text: string): string[] {
  return [...text.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1] as string);
}

describe('Grafana dashboards', () => {
  it('are what dashboards/generate.mjs generates (run it after editing)', () => {
    const rendered = render() as Record<string, string>;
    expect(Object.keys(rendered).sort()).toEqual([...DASHBOARD_FILES].sort());
    for (const [file, text] of Object.entries(rendered)) {
      expect(fs.readFileSync(path.join(dashboardsDir, file), 'utf8'), file).toBe(text);
    }
  });

  it('have stable, distinct uids and the fields Grafana needs to import them', () => {
    const uids = new Set<string>();
    for (const file of DASHBOARD_FILES) {
      const d = load(file);
      expect(d.uid, file).toMatch(/^ailedger-[a-z-]+$/);
      expect(d.uid.length).toBeLessThanOrEqual(40);
      uids.add(d.uid);
      expect(d.id, file).toBeNull();
      expect(typeof d.title).toBe('string');
      expect(d.schemaVersion).toBeGreaterThanOrEqual(36);
      expect(d.time).toEqual({ from: expect.any(String), to: 'now' });
      expect(Array.isArray(d.panels) && Array.isArray(d.templating.list)).toBe(true);
      // Every ${DS_*} placeholder is an import input; the requirements list every panel type used.
      const text = JSON.stringify(d);
      const inputs = new Set(d.__inputs.map((i: Json) => i.name));
      for (const m of text.matchAll(/\$\{(DS_[A-Z_]+)\}/g))
        expect(inputs, `${file}: ${m[1]}`).toContain(m[1]);
      for (const input of d.__inputs)
        expect(input).toMatchObject({ type: 'datasource', pluginId: expect.any(String) });
      const required = new Set(d.__requires.filter((r: Json) => r.type === 'panel').map((r: Json) => r.id));
      for (const p of panelsOf(d)) expect(required, `${file}: ${p.type}`).toContain(p.type);
    }
    expect(uids.size).toBe(DASHBOARD_FILES.length);
  });

  it('declare the datasource variable, fed by the DS_PROMETHEUS input, and the label variables', () => {
    for (const file of DASHBOARD_FILES) {
      const d = load(file);
      expect(d.__inputs, file).toContainEqual(
        expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' }),
      );
      const vars = new Map<string, Json>(d.templating.list.map((v: Json) => [v.name, v]));
      expect(vars.get('datasource'), file).toMatchObject({
        type: 'datasource',
        query: 'prometheus',
        current: { value: '${DS_PROMETHEUS}' },
      });
      for (const name of LABEL_VARIABLES) {
        const v = vars.get(name);
        expect(v, `${file}: $${name}`).toMatchObject({
          type: 'query',
          datasource: { type: 'prometheus', uid: '${datasource}' },
          includeAll: true,
          multi: true,
          allValue: '.*',
        });
        expect(v.definition).toMatch(
          new RegExp(`^label_values\\(ailedger_requests_total(\\{.*\\})?, ${name}\\)$`),
        );
        expect(v.query.query).toBe(v.definition);
      }
    }
  });

  it('bind every panel and every query to a datasource variable, with a query and units', () => {
    for (const file of DASHBOARD_FILES) {
      const d = load(file);
      const datasourceVars = new Map<string, string>(
        d.templating.list
          .filter((v: Json) => v.type === 'datasource')
          .map((v: Json) => [`\${${v.name}}`, v.query]),
      );
      const ids = new Set<number>();
      for (const p of panelsOf(d)) {
        const where = `${file}: "${p.title}"`;
        ids.add(p.id);
        expect(datasourceVars.get(p.datasource?.uid), where).toBe(p.datasource?.type);
        expect(p.targets?.length ?? 0, `${where} has no query`).toBeGreaterThan(0);
        const refIds = new Set<string>();
        for (const t of p.targets) {
          expect(t.datasource, where).toEqual(p.datasource);
          refIds.add(t.refId);
          const query = p.datasource.type === 'prometheus' ? t.expr : t.query;
          expect(
            typeof query === 'string' && query.trim().length > 0,
            `${where} ${t.refId}: empty query`,
          ).toBe(true);
        }
        expect(refIds.size, where).toBe(p.targets.length);
        const unit = p.fieldConfig?.defaults?.unit;
        expect(UNITS, `${where}: unit ${unit}`).toContain(unit);
        for (const o of p.fieldConfig.overrides) {
          for (const prop of o.properties) if (prop.id === 'unit') expect(UNITS, where).toContain(prop.value);
        }
        // Tables of numbers give each value column a unit.
        if (p.type === 'table' && p.datasource.type === 'prometheus') {
          const columns = p.fieldConfig.overrides
            .filter((o: Json) => o.properties.some((x: Json) => x.id === 'unit'))
            .map((o: Json) => o.matcher.options);
          const expected =
            p.targets.length === 1 ? ['Value'] : p.targets.map((t: Json) => `Value #${t.refId}`);
          expect(columns.sort(), where).toEqual(expected.sort());
        }
      }
      expect(ids.size, file).toBe(panelsOf(d).length);
    }
  });

  it('use only variables they define, and filter every ailedger query by every label variable', () => {
    for (const file of DASHBOARD_FILES) {
      const d = load(file);
      const defined = new Set<string>(d.templating.list.map((v: Json) => v.name));
      const text = JSON.stringify({ panels: d.panels, templating: d.templating });
      for (const name of variablesIn(text)) {
        if (name.startsWith('DS_')) continue;
        expect(defined.has(name) || BUILTIN_VARIABLES.has(name), `${file}: $${name} is not defined`).toBe(
          true,
        );
      }
      for (const p of panelsOf(d)) {
        if (p.datasource.type !== 'prometheus') continue;
        for (const t of p.targets) {
          // Each selector of a per-call metric or rollup (not the team-level budget series, not the collector's
          // own metrics) carries the whole filter.
          const selectors = [
            ...t.expr.matchAll(
              /\b(ailedger:(?:cost_usd|tokens|requests|unpriced_requests):delta15s|ailedger_(?:requests_total|tokens_total|request_duration_seconds_\w+|time_to_first_token_seconds_\w+))\{([^}]*)\}/g,
            ),
          ];
          const bare = t.expr.match(/\bailedger_(requests_total|tokens_total|cost_usd_total)\b(?!\{)/);
          expect(bare, `${file} "${p.title}": unfiltered ${bare?.[0]}`).toBeNull();
          for (const s of selectors) {
            for (const v of LABEL_VARIABLES) {
              expect(s[2], `${file} "${p.title}": ${s[1]} lacks ${v}`).toContain(`${v}=~"$${v}"`);
            }
          }
          if (/team:ailedger_cost_usd|ailedger_team_budget_usd/.test(t.expr)) {
            expect(t.expr, `${file} "${p.title}"`).toContain('team=~"$team"');
          }
        }
      }
    }
  });

  it('lay panels out on the 24-column grid without overlaps', () => {
    for (const file of DASHBOARD_FILES) {
      const cells = new Set<string>();
      for (const p of load(file).panels) {
        const { x, y, w, h } = p.gridPos;
        expect(x + w, `${file}: "${p.title}"`).toBeLessThanOrEqual(24);
        for (let i = x; i < x + w; i++) {
          for (let j = y; j < y + h; j++) {
            const cell = `${i},${j}`;
            expect(cells.has(cell), `${file}: "${p.title}" overlaps at ${cell}`).toBe(false);
            cells.add(cell);
          }
        }
      }
    }
  });

  it('the drill-down searches Tempo through its own datasource variable and links to Jaeger and Tempo', () => {
    const d = load('ailedger-drilldown.json');
    expect(d.__inputs).toContainEqual(expect.objectContaining({ name: 'DS_TEMPO', pluginId: 'tempo' }));
    const tempoPanels = panelsOf(d).filter((p: Json) => p.datasource.type === 'tempo');
    expect(tempoPanels.length).toBe(2);
    for (const p of tempoPanels) {
      expect(p.datasource.uid).toBe('${tempo}');
      for (const t of p.targets) {
        expect(t.queryType).toBe('traceql');
        // Balanced braces and quotes: the TraceQL is not run here (no Tempo), so at least its shape is checked.
        expect(t.query.match(/\{/g).length).toBe(t.query.match(/\}/g).length);
        expect((t.query.match(/"/g) ?? []).length % 2).toBe(0);
        expect(t.query).toMatch(/^\{ .+ \} \| select\(span\.[^)]+\)$/);
      }
    }
    const links = JSON.stringify(panelsOf(d)[0].fieldConfig.overrides);
    expect(links).toContain('${jaeger_url}/search?service=${__data.fields.service:percentencode}');
    expect(links).toContain('/explore?schemaVersion=1');
    // The Tempo link's pane JSON, once Grafana has put the values in, is valid JSON with a TraceQL query.
    const linkList = panelsOf(d)[0]
      .fieldConfig.overrides.flatMap((o: Json) => o.properties)
      .find((prop: Json) => prop.id === 'links').value;
    expect(linkList.map((l: Json) => l.title)).toEqual(['Calls in Jaeger', 'Calls in Tempo']);
    const explore = linkList[1].url as string;
    const panes = decodeURIComponent(
      explore
        .replace(/^.*panes=/, '')
        .replace(/\$\{__data\.fields\.(\w+):percentencode\}/g, 'x')
        .replace(/\$\{(\w+)\}/g, 'y'),
    );
    expect(JSON.parse(panes).a.queries[0]).toMatchObject({
      queryType: 'traceql',
      query: expect.stringMatching(/^\{ /),
    });
  });

  it('the provisioning file points Grafana at a folder of these dashboards', () => {
    const doc = parse(fs.readFileSync(path.join(dashboardsDir, 'provisioning.yaml'), 'utf8'));
    expect(doc.apiVersion).toBe(1);
    expect(doc.providers).toHaveLength(1);
    expect(doc.providers[0]).toMatchObject({ type: 'file', options: { path: expect.stringMatching(/^\//) } });
  });
});

describe('Prometheus rules', () => {
  const ruleFiles = fs
    .readdirSync(rulesDir)
    .filter((f) => f.endsWith('.rules.yml'))
    .sort();

  it('pass promtool check rules', () => {
    expect(ruleFiles).toEqual([
      'ailedger-alerts.rules.yml',
      'ailedger-budget.rules.yml',
      'ailedger-rollups.rules.yml',
      'budgets.rules.yml',
    ]);
    const r = promtool(['check', 'rules', ...ruleFiles], rulesDir);
    expect(r.output).not.toMatch(/FAILED|error/i);
    expect(r.code).toBe(0);
    expect(r.output.match(/SUCCESS/g)).toHaveLength(ruleFiles.length);
  });

  it('pass their promtool unit tests', () => {
    const tests = fs
      .readdirSync(path.join(rulesDir, 'tests'))
      .filter((f) => f.endsWith('.test.yml'))
      .sort();
    expect(tests).toEqual(['alerts.test.yml', 'budget.test.yml', 'rollups.test.yml']);
    const r = promtool(['test', 'rules', ...tests], path.join(rulesDir, 'tests'));
    expect(r.output).not.toContain('FAILED');
    expect(r.code).toBe(0);
    expect(r.output.match(/SUCCESS/g)).toHaveLength(tests.length);
  });

  it('keep the spend rollups in one 15 s group, the window their expressions assume', () => {
    const doc = parse(fs.readFileSync(path.join(rulesDir, 'ailedger-rollups.rules.yml'), 'utf8'));
    expect(doc.groups).toHaveLength(1);
    expect(doc.groups[0].interval).toBe('15s');
    for (const rule of doc.groups[0].rules) {
      for (const m of rule.expr.matchAll(/\[(\w+)\] offset (\w+)/g)) {
        expect(['15s offset 10s', '1h offset 25s']).toContain(`${m[1]} offset ${m[2]}`);
      }
    }
  });
});

describe('budgets generator', () => {
  it('turns budgets.example.yaml into the committed budgets.rules.yml', () => {
    const example = fs.readFileSync(path.join(rulesDir, 'budgets.example.yaml'), 'utf8');
    const budgets = parseBudgets(example);
    expect(budgets).toEqual([
      { team: 'support', usd: 5000 },
      { team: 'search', usd: 12000 },
      { team: 'research', usd: 800 },
      { team: 'unassigned', usd: 100 },
    ]);
    expect(budgetRules(budgets, 'budgets.example.yaml')).toBe(
      fs.readFileSync(path.join(rulesDir, 'budgets.rules.yml'), 'utf8'),
    );
  });

  it('refuses a budget that is not a number, an unknown key and an empty file, naming the key', () => {
    expect(() => parseBudgets('teams:\n  support: lots\n', 'b.yaml')).toThrow(
      'b.yaml: teams.support: expected a budget in USD (a number >= 0), got "lots"',
    );
    expect(() => parseBudgets('teams:\n  support: -1\n', 'b.yaml')).toThrow('teams.support');
    expect(() => parseBudgets('team:\n  support: 1\n', 'b.yaml')).toThrow('b.yaml: unknown key "team"');
    expect(() => parseBudgets('', 'b.yaml')).toThrow('b.yaml: expected a mapping');
    expect(() => parseBudgets('teams: {}\n', 'b.yaml')).toThrow('no team has a budget');
  });

  it('writes team names that need quoting as valid rules', () => {
    const dir = tempDir('ailedger-budgets-');
    const file = path.join(dir, 'budgets.rules.yml');
    fs.writeFileSync(
      file,
      budgetRules(parseBudgets('teams:\n  "data: science #1": 12.5\n  "o\'brien": 1\n')),
    );
    const doc = parse(fs.readFileSync(file, 'utf8'));
    expect(doc.groups[0].rules[0]).toEqual({
      record: 'ailedger_team_budget_usd',
      expr: 'vector(12.5)',
      labels: { team: 'data: science #1' },
    });
    const r = promtool(['check', 'rules', file]);
    expect(r.code, r.output).toBe(0);
  });
});

describe('deployment files', () => {
  function yamlDocs(file: string): Json[] {
    return parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => {
      expect(d.errors, file).toEqual([]);
      return d.toJS();
    });
  }

  it('the Prometheus configs pass promtool check config (pod discovery swapped for static targets)', () => {
    const compose = promtool(['check', 'config', path.join(deployDir, 'prometheus/prometheus.yml')]);
    expect(compose.code, compose.output).toBe(0);
    expect(compose.output).toContain('SUCCESS');
    // Debian's Prometheus is built without Kubernetes discovery, so its promtool rejects kubernetes_sd_configs:
    // check everything else (relabelling included) with the discovery replaced by a static target.
    const k8s = parse(fs.readFileSync(path.join(deployDir, 'kubernetes/prometheus-scrape.yml'), 'utf8'));
    const job = k8s.scrape_configs[0];
    expect(job.job_name).toBe('ailedger-collector');
    expect(job.kubernetes_sd_configs).toEqual([{ role: 'pod' }]);
    delete job.kubernetes_sd_configs;
    job.static_configs = [{ targets: ['collector:9464'] }];
    const file = path.join(tempDir('ailedger-promconfig-'), 'prometheus.yml');
    fs.writeFileSync(file, JSON.stringify(k8s));
    const r = promtool(['check', 'config', file]);
    expect(r.code, r.output).toBe(0);
    // Both scrape the job name the alerts use, with a timeout within the rollups' 10 s offset.
    for (const cfg of [
      parse(fs.readFileSync(path.join(deployDir, 'prometheus/prometheus.yml'), 'utf8')),
      k8s,
    ]) {
      expect(cfg.scrape_configs[0].job_name).toBe('ailedger-collector');
      expect(cfg.global.scrape_timeout).toBe('10s');
      expect(cfg.rule_files).toEqual(['/etc/prometheus/rules/*.rules.yml']);
    }
  });

  it('docker-compose.yml: the four services, every mounted file exists, every dependency is a service', () => {
    const compose = parse(fs.readFileSync(path.join(deployDir, 'docker-compose.yml'), 'utf8'));
    const services = Object.keys(compose.services);
    for (const s of ['collector', 'jaeger', 'prometheus', 'grafana']) expect(services).toContain(s);
    for (const [name, svc] of Object.entries<Json>(compose.services)) {
      expect(svc.image, name).toMatch(/:[\w.-]+$/); // pinned, never :latest
      expect(svc.image).not.toMatch(/:latest$/);
      for (const dep of svc.depends_on ?? []) expect(services, name).toContain(dep);
      for (const volume of svc.volumes ?? []) {
        const [source] = String(volume).split(':');
        if (source?.startsWith('.'))
          expect(fs.existsSync(path.resolve(deployDir, source)), `${name}: ${volume}`).toBe(true);
        else expect(Object.keys(compose.volumes), `${name}: ${volume}`).toContain(source);
      }
    }
    expect(
      fs.existsSync(
        path.resolve(
          deployDir,
          compose.services.collector.build.context,
          compose.services.collector.build.dockerfile,
        ),
      ),
    ).toBe(true);
    // Grafana gets the provisioning file and the dashboards at the path that file names.
    const provisioning = parse(fs.readFileSync(path.join(dashboardsDir, 'provisioning.yaml'), 'utf8'));
    expect(compose.services.grafana.volumes).toContain(
      `../dashboards/grafana:${provisioning.providers[0].options.path}:ro`,
    );
    // The data sources the dashboards' variables select are provisioned.
    const ds = parse(fs.readFileSync(path.join(deployDir, 'grafana/datasources.yaml'), 'utf8'));
    expect(ds.datasources.map((d: Json) => d.type).sort()).toEqual(['jaeger', 'prometheus', 'tempo']);
    expect(ds.datasources.find((d: Json) => d.isDefault).type).toBe('prometheus');
  });

  it('the Kubernetes manifests fit together: selectors, ports, probes, HPA target, kustomization', () => {
    const dir = path.join(deployDir, 'kubernetes');
    const kustomization = parse(fs.readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8'));
    const objects = kustomization.resources.flatMap((f: string) => yamlDocs(path.join(dir, f)));
    const byKind = new Map<string, Json>(objects.map((o: Json) => [o.kind, o]));
    expect([...byKind.keys()].sort()).toEqual([
      'ConfigMap',
      'Deployment',
      'HorizontalPodAutoscaler',
      'PodDisruptionBudget',
      'Service',
    ]);
    const apiVersions: Record<string, string> = {
      ConfigMap: 'v1',
      Deployment: 'apps/v1',
      HorizontalPodAutoscaler: 'autoscaling/v2',
      PodDisruptionBudget: 'policy/v1',
      Service: 'v1',
    };
    for (const o of objects) {
      expect(o.apiVersion, o.kind).toBe(apiVersions[o.kind]);
      expect(o.metadata.name).toBe('ailedger-collector');
    }
    const deployment = byKind.get('Deployment');
    const podLabels = deployment.spec.template.metadata.labels;
    const matches = (selector: Record<string, string>) =>
      Object.entries(selector).every(([k, v]) => podLabels[k] === v);
    expect(matches(deployment.spec.selector.matchLabels)).toBe(true);
    expect(matches(byKind.get('Service').spec.selector)).toBe(true);
    expect(matches(byKind.get('PodDisruptionBudget').spec.selector.matchLabels)).toBe(true);
    const container = deployment.spec.template.spec.containers[0];
    const portNames = container.ports.map((p: Json) => p.name);
    for (const p of byKind.get('Service').spec.ports) expect(portNames).toContain(p.targetPort);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'admin' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'admin' });
    expect(container.ports.find((p: Json) => p.name === 'admin').containerPort).toBe(9464);
    expect(container.ports.find((p: Json) => p.name === 'otlp-http').containerPort).toBe(4318);
    const hpa = byKind.get('HorizontalPodAutoscaler');
    expect(hpa.spec.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'ailedger-collector',
    });
    expect(hpa.spec.minReplicas).toBeLessThanOrEqual(hpa.spec.maxReplicas);
    // The config is mounted where the args read it, and the drain fits in the grace period.
    const configMap = byKind.get('ConfigMap');
    expect(deployment.spec.template.spec.volumes[0].configMap.name).toBe(configMap.metadata.name);
    expect(container.args).toEqual(['--config', `${container.volumeMounts[0].mountPath}/ailedger.yaml`]);
    const config = parse(configMap.data['ailedger.yaml']);
    expect(config.queue.directory).toBeUndefined(); // stateless
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(
      config.shutdown.drain_timeout_ms,
    );
  });

  it.each([
    [
      'deploy/collector/ailedger.yaml',
      () => fs.readFileSync(path.join(deployDir, 'collector/ailedger.yaml'), 'utf8'),
    ],
    [
      'the ConfigMap of deploy/kubernetes',
      () =>
        parse(fs.readFileSync(path.join(deployDir, 'kubernetes/configmap.yaml'), 'utf8')).data[
          'ailedger.yaml'
        ],
    ],
  ])('the collector starts on %s (its own config validation)', async (_name, read) => {
    const collector = await startCollector({ config: read() as string });
    try {
      const started = collector.logs.find((l) => l.msg === 'ailedger collector started');
      expect(started).toBeDefined();
      expect(collector.stderr()).not.toMatch(/"level":"(warn|error)"/);
      expect(await collector.metrics()).toContain('ailedger_collector_exporter_queue_capacity');
    } finally {
      await collector.stop();
    }
  });
});
