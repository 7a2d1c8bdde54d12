import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { Env } from '../config';
import { aclMatrix } from '../kafka/acls';
import { ensureHelm, ensureKubernetesValidate } from '../tools/infra/ship-tools';
import { imageCommand, type ImageEntry } from '../runtime/node-runtime.cjs';
import { strimziExample, strimziExampleFile } from '../tools/strimzi-example';

// The chart rendered by a real helm (built from the Go module proxy, cached) and every manifest
// validated strictly, offline, against the Kubernetes 1.37 schemas kubernetes-validate ships.
const run = promisify(execFile);
const chart = path.join(__dirname, '..', 'deploy', 'helm', 'homeward');
const say = (line: string) => process.stderr.write(`${line}\n`);

/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are checked field by field below */
type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: any;
  stringData?: Record<string, string>;
};

let helm: string;
let validate: [string, string[]];
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'homeward-helm-'));

async function render(name: string, args: string[]): Promise<{ file: string; manifests: Manifest[] }> {
  const { stdout } = await run(helm, ['template', 'homeward', chart, '--namespace', 'homeward', ...args], {
    maxBuffer: 16 * 1024 * 1024,
  });
  const file = path.join(workDir, `${name}.yaml`);
  fs.writeFileSync(file, stdout);
  const manifests = parseAllDocuments(stdout)
    .map((doc) => doc.toJS() as Manifest | null)
    .filter((m): m is Manifest => m !== null);
  return { file, manifests };
}

/** kubernetes-validate --strict: every resource it knows passed; the custom resources it has no schema for, listed. */
async function validateStrictly(file: string): Promise<{ passed: string[]; noSchema: string[] }> {
  const [python, args] = validate;
  const result = await run(python, [...args, '--strict', file]).catch((error: { stdout: string; stderr: string }) => {
    throw new Error(`kubernetes-validate refused ${path.basename(file)}:\n${error.stdout}${error.stderr}`);
  });
  const output = `${result.stdout}${result.stderr}`;
  return {
    passed: [...output.matchAll(/passed for resource (\S+) against version/g)].map((m) => m[1]),
    noSchema: [...output.matchAll(/Couldn't find schema for kind (\w+)/g)].map((m) => m[1]),
  };
}

const podSpec = (m: Manifest) => m.spec.template.spec;
const component = (m: Manifest) => m.metadata.labels?.['app.kubernetes.io/component'];
const envNames = (m: Manifest) => (podSpec(m).containers[0].env as { name: string }[]).map((e) => e.name);

const profiles: Record<string, string[]> = {
  default: [],
  production: ['-f', path.join(chart, 'values-production.yaml')],
};
const rendered: Record<string, { file: string; manifests: Manifest[] }> = {};

beforeAll(async () => {
  const started = Date.now();
  [helm, validate] = await Promise.all([ensureHelm(), ensureKubernetesValidate()]);
  for (const [name, args] of Object.entries(profiles)) rendered[name] = await render(name, args);
  say(
    `helm ${(await run(helm, ['version', '--short'])).stdout.trim()} rendered the chart's profiles in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}, 600_000);

describe('the Helm chart, rendered by helm template and validated against the Kubernetes schemas', () => {
  it.each(Object.keys(profiles))(
    '%s values: every manifest passes strict validation (only the ServiceMonitor, a custom resource, has no schema there)',
    async (name) => {
      const { file, manifests } = rendered[name];
      const { passed, noSchema } = await validateStrictly(file);
      const builtIn = manifests.filter((m) => m.kind !== 'ServiceMonitor');
      expect(passed.sort()).toEqual(builtIn.map((m) => `${m.kind.toLowerCase()}/${m.metadata.name}`).sort());
      expect(noSchema).toEqual(manifests.filter((m) => m.kind === 'ServiceMonitor').map((m) => m.kind));
      say(
        `  ${name}: ${passed.length} manifests valid (${[...new Set(builtIn.map((m) => m.kind))].join(', ')})${noSchema.length ? `; ${noSchema.join(', ')} checked below` : ''}`,
      );
    },
  );

  it('validation is strict: an unknown field in a Deployment is refused', async () => {
    const file = path.join(workDir, 'broken.yaml');
    fs.writeFileSync(
      file,
      fs
        .readFileSync(rendered.default.file, 'utf8')
        .replace('revisionHistoryLimit: 5', 'revisionHistoryLimit: 5\n  replicaz: 2'),
    );
    await expect(validateStrictly(file)).rejects.toThrow(/replicaz/);
  });

  it('a Deployment per role, each running the image’s entry point with probes, resources and a locked-down pod', () => {
    for (const { manifests } of Object.values(rendered)) {
      const deployments = manifests.filter((m) => m.kind === 'Deployment');
      expect(deployments.map(component).sort()).toEqual(['api', 'bridges', 'projector', 'worker']);
      for (const deployment of deployments) {
        const pod = podSpec(deployment);
        const [container] = pod.containers;
        expect(container.command, component(deployment)).toEqual(imageCommand(component(deployment) as ImageEntry));
        expect(pod.securityContext).toMatchObject({
          runAsNonRoot: true,
          runAsUser: 10001,
          seccompProfile: { type: 'RuntimeDefault' },
        });
        expect(container.securityContext).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          privileged: false,
          capabilities: { drop: ['ALL'] },
        });
        expect(pod.automountServiceAccountToken).toBe(false);
        expect(container.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'health' });
        expect(container.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'health' });
        expect(container.resources.requests).toHaveProperty('memory');
        expect(container.resources.limits).toHaveProperty('memory');
        // Only the variables the configuration knows (a typo would silently not apply): Env's, the
        // Temporal connection's (read by @temporalio/envconfig), the log format, glibc's arenas.
        const known = [
          ...Object.keys(Env.shape),
          'LOG_FORMAT',
          'MALLOC_ARENA_MAX',
          'TEMPORAL_API_KEY',
          'TEMPORAL_TLS',
          'TEMPORAL_TLS_CLIENT_CERT_PATH',
          'TEMPORAL_TLS_CLIENT_KEY_PATH',
          'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
          'TEMPORAL_TLS_SERVER_NAME',
        ];
        for (const name of envNames(deployment)) expect(known, name).toContain(name);
        expect(envNames(deployment).includes('DATABASE_URL'), component(deployment)).toBe(
          ['projector', 'api'].includes(component(deployment)!),
        );
        for (const secret of ['HOMEWARD_CODEC_KEYS', 'HOMEWARD_COMMAND_KEYS', 'KAFKA_SASL_PASSWORD']) {
          expect(
            container.env.find((e: { name: string }) => e.name === secret).valueFrom.secretKeyRef,
            secret,
          ).toBeDefined();
        }
      }
    }
  });

  it('migrations run as a pre-install/pre-upgrade Job running `homeward migrate`, with only the database’s secret', () => {
    for (const { manifests } of Object.values(rendered)) {
      const [job] = manifests.filter((m) => m.kind === 'Job');
      expect(job.metadata.annotations).toMatchObject({ 'helm.sh/hook': 'pre-install,pre-upgrade' });
      expect(podSpec(job).containers[0].command).toEqual(imageCommand('migrate'));
      expect(envNames(job)).toEqual(['LOG_FORMAT', 'DATABASE_URL']);
      expect(podSpec(job).restartPolicy).toBe('Never');
    }
  });

  it('no Secret and no secret value by default; made from values only when asked, naming a missing one', async () => {
    for (const { manifests } of Object.values(rendered))
      expect(manifests.filter((m) => m.kind === 'Secret')).toEqual([]);
    await expect(render('secrets-missing', ['--set', 'secrets.create=true'])).rejects.toThrow(
      /secrets\.values\.codec-keys is required with secrets\.create/,
    );
    const values = ['codec-keys', 'command-keys', 'patient-key-secret', 'kafka-password', 'database-url'].flatMap(
      (key) => ['--set', `secrets.values.${key}=test-${key}`],
    );
    const { file, manifests } = await render('secrets', ['--set', 'secrets.create=true', ...values]);
    const [secret] = manifests.filter((m) => m.kind === 'Secret');
    expect(secret.metadata.annotations?.['helm.sh/hook-weight']).toBe('-10');
    expect(Object.keys(secret.stringData!).sort()).toEqual([
      'codec-keys',
      'command-keys',
      'database-url',
      'kafka-password',
      'patient-key-secret',
    ]);
    expect((await validateStrictly(file)).passed).toContain('secret/homeward');
  });

  it('NetworkPolicies: the API reachable from the ingress controller only; each pod’s egress only DNS and the dependencies its role talks to', () => {
    const { manifests } = rendered.production;
    const policies = manifests.filter((m) => m.kind === 'NetworkPolicy');
    const pods = manifests.filter((m) => m.kind === 'Deployment' || m.kind === 'Job');
    for (const pod of pods) {
      const selecting = policies.filter((p) =>
        Object.entries(p.spec.podSelector.matchLabels).every(([k, v]) => pod.spec.template.metadata.labels[k] === v),
      );
      expect(selecting.length, component(pod)).toBe(1);
      expect(selecting[0].spec.policyTypes).toEqual(['Ingress', 'Egress']);
    }
    const policy = (role: string) => policies.find((p) => component(p) === role)!;
    const egressPorts = (role: string) =>
      (policy(role).spec.egress as { ports: { port: number }[] }[])
        .flatMap((rule) => rule.ports.map((p) => p.port))
        .sort((a, b) => a - b);
    expect(egressPorts('worker')).toEqual([53, 53, 7233, 9093]);
    expect(egressPorts('bridges')).toEqual([53, 53, 7233, 9093]);
    expect(egressPorts('projector')).toEqual([53, 53, 5432, 9093]);
    expect(egressPorts('api')).toEqual([53, 53, 443, 5432, 7233]);
    expect(egressPorts('migrate')).toEqual([53, 53, 5432]);
    const apiIngress = policy('api').spec.ingress as { from: unknown[]; ports: { port: number }[] }[];
    expect(apiIngress.find((rule) => rule.ports.some((p) => p.port === 8080))!.from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } },
    ]);
    for (const role of ['worker', 'projector', 'bridges'])
      expect(
        (policy(role).spec.ingress as { ports: { port: number }[] }[]).flatMap((r) => r.ports.map((p) => p.port)),
        role,
      ).toEqual([8081]);
  });

  it('the ServiceMonitor (production) scrapes /metrics on the health port of every role’s Service', () => {
    const { manifests } = rendered.production;
    const [monitor] = manifests.filter((m) => m.kind === 'ServiceMonitor');
    expect(monitor.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(monitor.spec.endpoints).toEqual([{ port: 'health', path: '/metrics', interval: '30s' }]);
    const services = manifests.filter(
      (m) =>
        m.kind === 'Service' &&
        Object.entries(monitor.spec.selector.matchLabels).every(([k, v]) => m.metadata.labels?.[k] === v),
    );
    expect(services.map(component).sort()).toEqual(['api', 'bridges', 'projector', 'worker']);
    for (const service of services) expect(service.spec.ports.map((p: { name: string }) => p.name)).toContain('health');
    expect(rendered.default.manifests.filter((m) => m.kind === 'ServiceMonitor')).toEqual([]);
  });

  it('examples/strimzi.yaml is what the code says: every topic, replication 3, and each user with exactly the ACL matrix of kafka/acls.ts', () => {
    expect(fs.readFileSync(strimziExampleFile, 'utf8')).toBe(strimziExample());
    const docs = parseAllDocuments(strimziExample()).map((doc) => doc.toJS() as Manifest);
    for (const topic of docs.filter((d) => d.kind === 'KafkaTopic'))
      expect(topic.spec).toMatchObject({ replicas: 3, config: { 'min.insync.replicas': '2' } });
    const acls = docs
      .filter((d) => d.kind === 'KafkaUser')
      .flatMap((user) => user.spec.authorization.acls.map((acl: any) => ({ principal: user.metadata.name, ...acl })));
    expect(acls).toHaveLength(aclMatrix().length);
  });
});
