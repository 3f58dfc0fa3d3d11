import { baseEnv, buildBaseConfig, ConfigError, env, loadConfig } from './index';

describe('loadConfig', () => {
  it('applies defaults and builds a nested config', () => {
    const sut = loadConfig(baseEnv, buildBaseConfig, {});
    expect(sut.nats).toEqual({ url: 'nats://127.0.0.1:4222', prefix: 'sb', streamReplicas: 1 });
    expect(sut.database.migrateOnBoot).toBe(true);
  });

  it('names the variable that is wrong', () => {
    expect(() => loadConfig(baseEnv, buildBaseConfig, { HEALTH_PORT: 'eighty', SB_PREFIX: 'a.b' })).toThrow(
      ConfigError,
    );
    try {
      loadConfig(baseEnv, buildBaseConfig, { HEALTH_PORT: 'eighty', SB_PREFIX: 'a.b' });
    } catch (e) {
      const message = (e as Error).message;
      expect(message).toContain('HEALTH_PORT');
      expect(message).toContain('SB_PREFIX');
    }
  });

  it('requires variables without a default', () => {
    expect(() => loadConfig({ SECRET: env.string() }, (e) => e, {})).toThrow(/SECRET/);
    expect(loadConfig({ FLAG: env.bool(false) }, (e) => e, { FLAG: 'yes' })).toEqual({ FLAG: true });
  });
});
