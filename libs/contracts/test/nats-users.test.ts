import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '@switchboard/testing';
import * as contracts from '../src';
import {
  durableConsumersOf,
  NatsNames,
  natsInboxPrefix,
  natsUserPermissions,
  PROVISIONER_NATS_USER,
  SERVICE_NATS_USERS,
  type NatsUserPermissions,
} from '../src';

const CHART = join(REPO_ROOT, 'deploy/helm/switchboard');

/** Whether a NATS subject filter (`*` one token, `>` the rest) covers `subject`. */
function covers(filter: string, subject: string): boolean {
  const f = filter.split('.');
  const t = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return true;
    if (f[i] !== '*' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/** The TypeScript source a service runs: its own `src`, and for a sender the channel SDK that does its work. */
function sourceOf(user: string): string {
  const dirs = [join(REPO_ROOT, 'services', user, 'src')];
  if (user.startsWith('sender-')) dirs.push(join(REPO_ROOT, 'libs/channel-sdk/src'));
  return dirs
    .flatMap((dir) =>
      (readdirSync(dir, { recursive: true }) as string[])
        .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
        .map((f) => readFileSync(join(dir, f), 'utf8')),
    )
    .join('\n');
}

/**
 * The NATS users come from one list (libs/contracts/src/nats-users.ts); deploy/nats/nats-server.conf
 * and the Helm chart's files/nats-users.json are rendered from it by `npm run nats-users`.
 * libs/messaging/test/nats-permissions.test.ts runs the conf on a real nats-server.
 */
describe('NATS users (libs/contracts → nats-server.conf and the Helm chart)', () => {
  const names = new NatsNames('sb');
  const users = natsUserPermissions(names);

  it('renders into deploy/nats/nats-server.conf and the chart as they are committed', () => {
    // Exits 1 naming the stale file when either differs from what the list renders.
    expect(() =>
      execFileSync(process.execPath, [join(REPO_ROOT, 'scripts/nats-users.mjs'), '--check'], { stdio: 'pipe' }),
    ).not.toThrow();
  });

  it('gives only the provisioner the JetStream management API', () => {
    expect(users[PROVISIONER_NATS_USER].publish).toEqual(['$JS.API.>']);
    for (const service of SERVICE_NATS_USERS) {
      const { publish, subscribe } = users[service];
      expect(publish).not.toContain('$JS.API.>');
      expect(
        publish.filter((s) => s.startsWith('$JS.API.') && /STREAM\.(CREATE|UPDATE|DELETE)|CONSUMER\.CREATE/.test(s)),
      ).toEqual([]);
      expect(publish).toContain(names.subjects.dlq(service));
      for (const subject of [...publish, ...subscribe])
        expect(
          subject.startsWith(`${names.prefix}.`) ||
            subject.startsWith('$JS.') ||
            subject === `${natsInboxPrefix(service)}.>`,
        ).toBe(true);
    }
  });

  it("lets a service pull, read and ack its own durables and none of another service's, and read only its own inboxes", () => {
    const allowed = (user: string, subject: string) => users[user].publish.some((f) => covers(f, subject));
    const rights = (stream: string, durable: string) => [
      `$JS.API.CONSUMER.MSG.NEXT.${stream}.${durable}`,
      `$JS.API.CONSUMER.INFO.${stream}.${durable}`,
      // An ack's reply subject: delivered count, stream and consumer sequences, timestamp, pending.
      `$JS.ACK.${stream}.${durable}.1.42.17.1765000000000000000.0`,
    ];
    let checked = 0;
    for (const owner of SERVICE_NATS_USERS) {
      for (const { durable, subject } of durableConsumersOf(names, owner)) {
        const stream = names.streamOf(subject);
        for (const right of rights(stream, durable)) {
          for (const user of SERVICE_NATS_USERS)
            expect([user, right, allowed(user, right)]).toEqual([user, right, user === owner]);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(3 * 30);
    for (const user of SERVICE_NATS_USERS) {
      expect(users[user].publish.filter((f) => f.includes('*') && /CONSUMER|\$JS\.ACK/.test(f))).toEqual([]);
      expect(users[user].publish.filter((f) => f === '$JS.ACK.>' || f.startsWith('$JS.API.STREAM.INFO'))).toEqual([]);
      for (const other of [
        '_INBOX.abc',
        ...SERVICE_NATS_USERS.filter((u) => u !== user).map((u) => `${natsInboxPrefix(u)}.abc`),
      ])
        expect([user, other, users[user].subscribe.some((f) => covers(f, other))]).toEqual([user, other, false]);
      expect(users[user].subscribe.some((f) => covers(f, `${natsInboxPrefix(user)}.abc.1`))).toBe(true);
    }
  });

  it('has every consumer in the code name its durable from libs/contracts, so the list its user gets is the list it runs', () => {
    for (const user of SERVICE_NATS_USERS)
      expect([user, sourceOf(user).match(/durable:\s*['`"][^\n]*/g)]).toEqual([user, null]);
  });

  it('lets some service publish each subject the services use, and some service read each event', () => {
    const services = SERVICE_NATS_USERS.map((u) => users[u]);
    const s = names.subjects;
    for (const subject of [
      s.sendRequested(),
      s.dispatch('email'),
      s.routing('deferred'),
      s.delivery('sms', 'sent'),
      s.shipmentCanceled(),
      s.inboxChanged(),
      s.catalogChanged(),
      s.contactErased(),
      s.rpc('catalog', 'messages.get'),
    ]) {
      expect([subject, services.some((u) => u.publish.some((f) => covers(f, subject)))]).toEqual([subject, true]);
      expect([subject, services.some((u) => u.subscribe.some((f) => covers(f, subject)))]).toEqual([subject, true]);
    }
  });

  it('lets each service call every RPC its source names (read from the code, so a new call cannot miss its right)', () => {
    const rpcs = Object.entries(contracts).filter(
      (e): e is [string, { service: string; operation: string }] =>
        typeof e[1] === 'object' && e[1] !== null && 'service' in e[1] && 'operation' in e[1] && 'request' in e[1],
    );
    expect(rpcs.length).toBeGreaterThan(20);
    const missing: string[] = [];
    for (const user of SERVICE_NATS_USERS) {
      const source = sourceOf(user);
      for (const [name, rpc] of rpcs) {
        if (rpc.service === user || !new RegExp(`\\b${name}\\b`).test(source)) continue;
        const subject = names.subjects.rpc(rpc.service, rpc.operation);
        if (!users[user].publish.some((f) => covers(f, subject))) missing.push(`${user} → ${subject} (${name})`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('lets each service that keeps a catalog cache hear when a message changes', () => {
    // Found missing by running the services under the conf (npm run chaos): the gateway's cache never heard.
    const cached = SERVICE_NATS_USERS.filter((u) => /\bCatalogChanges\b/.test(sourceOf(u)));
    expect(cached).toEqual(expect.arrayContaining(['gateway', 'router', 'sender-email']));
    for (const user of cached)
      expect([user, users[user].subscribe.some((f) => covers(f, names.subjects.catalogChanged()))]).toEqual([
        user,
        true,
      ]);
  });

  it('has the chart read the same users, with the prefix filled in', () => {
    const chartUsers = JSON.parse(readFileSync(join(CHART, 'files/nats-users.json'), 'utf8')) as Record<
      string,
      NatsUserPermissions
    >;
    expect(Object.keys(chartUsers).sort()).toEqual([PROVISIONER_NATS_USER, ...SERVICE_NATS_USERS].sort());
    const fill = (subject: string, prefix: string) =>
      subject.replaceAll('{prefix}', prefix).replaceAll('{STREAM_PREFIX}', prefix.toUpperCase().replace(/-/g, '_'));
    const other = natsUserPermissions(new NatsNames('prod-eu'));
    for (const [user, p] of Object.entries(chartUsers)) {
      expect(p.publish.map((x) => fill(x, 'prod-eu'))).toEqual(other[user].publish);
      expect(p.subscribe.map((x) => fill(x, 'prod-eu'))).toEqual(other[user].subscribe);
    }
    // _nats.tpl fills the same two placeholders, and its users are the file's.
    const tpl = readFileSync(join(CHART, 'templates/_nats.tpl'), 'utf8');
    expect(tpl).toContain('replace "{prefix}" $prefix | replace "{STREAM_PREFIX}" $streamPrefix');
    expect(tpl).toContain('.Files.Get "files/nats-users.json"');
    expect(tpl).not.toContain('"$JS.API.>"');
  });

  it('has the chart run every service migrate step as the provisioner, and the services without it', () => {
    const values = parse(readFileSync(join(CHART, 'values.yaml'), 'utf8')) as { services: Record<string, unknown> };
    expect(Object.keys(values.services).sort()).toEqual([...SERVICE_NATS_USERS].sort());
    const job = readFileSync(join(CHART, 'templates/migrate-job.yaml'), 'utf8');
    expect(job).toContain('kind: Job');
    expect(job).toContain('helm.sh/hook: pre-upgrade');
    expect(job).toMatch(/range \$svcName, \$raw := \.Values\.services/);
    expect(job).toContain('"natsUser" "provisioner" "migrateOnly" true');
    const env = readFileSync(join(CHART, 'templates/_env.tpl'), 'utf8');
    expect(env).toContain('- { name: MIGRATE_ONLY, value: "true" }');
    expect(env).toContain('- { name: MIGRATE_ON_BOOT, value: "false" }');
    const deployments = readFileSync(join(CHART, 'templates/services.yaml'), 'utf8');
    expect(deployments).toContain('"natsUser" $svcName "migrateOnly" false');
  });
});
