import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '@switchboard/testing';
import { natsPasswordVar, PROVISIONER_NATS_USER, SERVICE_NATS_USERS } from '../src';

interface ComposeService {
  command?: string[];
  environment?: Record<string, string | null>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  build?: { args?: Record<string, string> };
  restart?: string;
}

/** `${VAR:?message}`: compose refuses to start without the variable, instead of passing an empty password. */
const required = (variable: string) => expect.stringMatching(new RegExp(`^\\$\\{${variable}:\\?[^}]+\\}$`));

/**
 * docker-compose.yml runs NATS with deploy/nats/nats-server.conf, so the compose deployment refuses
 * what the conf refuses: each service connects as its own user, and only the migrate containers as
 * `provisioner`. Docker is not on the test machines, so this reads the file as compose does (YAML
 * merge keys resolved); libs/messaging/test/nats-permissions.test.ts runs the conf itself.
 */
describe('docker-compose.yml: NATS with the rendered users', () => {
  const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, ComposeService>;
  };
  const services = compose.services;
  const conf = readFileSync(join(REPO_ROOT, 'deploy/nats/nats-server.conf'), 'utf8');
  const users = [PROVISIONER_NATS_USER, ...SERVICE_NATS_USERS];

  it('runs nats-server with deploy/nats/nats-server.conf and a password for every user the conf reads', () => {
    const nats = services.nats;
    expect(nats.volumes).toContain('./deploy/nats/nats-server.conf:/etc/nats/nats-server.conf:ro');
    const command = nats.command ?? [];
    expect(command[command.indexOf('-c') + 1]).toBe('/etc/nats/nats-server.conf');
    expect(command).toContain('-js');
    const confVars = [...conf.matchAll(/password: \$(\w+)/g)].map((m) => m[1]).sort();
    expect(confVars).toEqual(users.map(natsPasswordVar).sort());
    for (const variable of confVars)
      expect([variable, nats.environment?.[variable]]).toEqual([variable, required(variable)]);
  });

  it('gives every service its own NATS user and password, and no JetStream provisioning at boot', () => {
    for (const user of SERVICE_NATS_USERS) {
      const svc = services[user];
      expect([user, svc?.build?.args?.SERVICE]).toEqual([user, user]);
      expect([user, svc.environment]).toEqual([
        user,
        expect.objectContaining({
          NATS_URL: 'nats://nats:4222',
          NATS_USER: user,
          NATS_PASSWORD: required(natsPasswordVar(user)),
          MIGRATE_ON_BOOT: 'false',
        }),
      ]);
      expect(svc.environment).not.toHaveProperty('MIGRATE_ONLY');
      expect([user, svc.depends_on?.[`${user}-migrate`]]).toEqual([
        user,
        { condition: 'service_completed_successfully' },
      ]);
    }
  });

  it("runs each service's migrate step first, as the provisioner, with the service's own settings", () => {
    for (const user of SERVICE_NATS_USERS) {
      const step = services[`${user}-migrate`];
      const svc = services[user];
      expect([user, step?.build?.args?.SERVICE]).toEqual([user, user]);
      expect(step.restart).toBe('no');
      const { NATS_USER, NATS_PASSWORD, MIGRATE_ONLY, ...rest } = step.environment ?? {};
      expect([user, { NATS_USER, NATS_PASSWORD, MIGRATE_ONLY }]).toEqual([
        user,
        {
          NATS_USER: PROVISIONER_NATS_USER,
          NATS_PASSWORD: required(natsPasswordVar(PROVISIONER_NATS_USER)),
          MIGRATE_ONLY: 'true',
        },
      ]);
      const { NATS_USER: _u, NATS_PASSWORD: _p, ...own } = svc.environment ?? {};
      expect([user, rest]).toEqual([user, own]);
      expect(Object.keys(step.depends_on ?? {}).sort()).toEqual(
        Object.keys(svc.depends_on ?? {})
          .filter((d) => d !== `${user}-migrate`)
          .sort(),
      );
    }
  });

  it('connects nothing to NATS without a user', () => {
    const anonymous = Object.entries(services)
      .filter(([, s]) => s.environment?.NATS_URL !== undefined && !s.environment.NATS_USER)
      .map(([name]) => name);
    expect(anonymous).toEqual([]);
  });

  it('has `services.mjs compose-env` print a password for every NATS user, under the variable the conf reads', () => {
    // scripts/services.mjs loads before dependencies are installed, so it keeps its own copies of
    // the users and of natsPasswordVar: asked through node, they must agree with libs/contracts.
    const listed = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { NATS_USERS, natsPasswordVar } from './scripts/services.mjs';
         console.log(JSON.stringify(NATS_USERS.map((user) => [user, natsPasswordVar(user)])))`,
      ],
      { cwd: REPO_ROOT, encoding: 'utf8' },
    );
    const expected = users.map((user) => [user, natsPasswordVar(user)]);
    expect((JSON.parse(listed) as string[][]).sort()).toEqual(expected.sort());
    expect(natsPasswordVar('sender-email')).toBe('SB_NATS_PASSWORD_SENDER_EMAIL');
  });
});
