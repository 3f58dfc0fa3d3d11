import { Module } from '@nestjs/common';
import { baseEnv, buildBaseConfig, loadConfig } from '@switchboard/config';
import { createLogger } from '@switchboard/telemetry';
import { ServiceKitModule } from './service-kit.module';
import { serviceModule as sut } from './service-module';

@Module({})
class RootModule {}
@Module({})
class FeatureModule {}
@Module({})
class TestOnlyModule {}

describe('serviceModule', () => {
  const config = loadConfig(baseEnv, buildBaseConfig, {});

  it('puts the service kit (config, logger, NATS, database) first, then features, then extra imports', () => {
    const module = sut(RootModule, {
      service: 'demo',
      config,
      database: { schema: 'demo' },
      features: [FeatureModule],
      imports: [TestOnlyModule],
      providers: [{ provide: 'x', useValue: 1 }],
    });
    expect(module.module).toBe(RootModule);
    expect(module.imports).toHaveLength(3);
    expect((module.imports?.[0] as { module: unknown }).module).toBe(ServiceKitModule);
    expect(module.imports?.slice(1)).toEqual([FeatureModule, TestOnlyModule]);
    expect(module.providers).toEqual([{ provide: 'x', useValue: 1 }]);
  });

  it('uses the logger it is given instead of making one', () => {
    const logger = createLogger('given', 'silent');
    const kit = sut(RootModule, { service: 'demo', config, logger }).imports?.[0] as {
      providers: { provide: unknown; useValue: unknown }[];
    };
    expect(kit.providers.map((p) => p.useValue)).toContain(logger);
  });
});
