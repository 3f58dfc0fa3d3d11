import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { natsPasswordVar } from '@switchboard/contracts';
import { REPO_ROOT } from '../src';

/** scripts/services.mjs's loadDevSecrets (an ES module of the start scripts), asked through node itself. */
function loadDevSecrets(dataDir: string): { natsPasswords: Record<string, string> } {
  const services = path.join(REPO_ROOT, 'scripts/services.mjs');
  const { stdout, status, stderr } = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { loadDevSecrets } = await import(${JSON.stringify(services)});
       process.stdout.write(JSON.stringify(await loadDevSecrets({ dataDir: process.argv[1], env: {} })));`,
      dataDir,
    ],
    { encoding: 'utf8' },
  );
  if (status !== 0) throw new Error(stderr);
  return JSON.parse(stdout);
}

describe("npm start's NATS passwords", () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(path.join(tmpdir(), 'sb-secrets-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('are values nats-server reads as strings, also where an older start stored one it cannot', () => {
    // nats-server reads `$VAR` as a config value: `9-o…` is taken for a date and refused.
    writeFileSync(path.join(dataDir, 'secrets.json'), JSON.stringify({ natsPasswords: { gateway: '9-oQw_Zx' } }));
    for (let round = 0; round < 20; round++) {
      const { natsPasswords } = loadDevSecrets(dataDir);
      expect(natsPasswords.gateway).not.toBe('9-oQw_Zx');
      const env = Object.fromEntries(
        Object.entries(natsPasswords).map(([user, password]) => [natsPasswordVar(user), password]),
      );
      const check = spawnSync(
        '/usr/sbin/nats-server',
        ['-c', path.join(REPO_ROOT, 'deploy/nats/nats-server.conf'), '-t'],
        {
          env: { ...process.env, ...env },
          encoding: 'utf8',
        },
      );
      expect(`${check.stdout}${check.stderr}`).toContain('is valid');
      // Fresh passwords next round.
      writeFileSync(path.join(dataDir, 'secrets.json'), JSON.stringify({ natsPasswords: { gateway: '9-oQw_Zx' } }));
    }
  });
});
