import { Module } from '@nestjs/common';
import { StatsRepository } from './stats.repository';
import { StatsRpc } from './stats.rpc';

@Module({ providers: [StatsRepository, StatsRpc] })
export class StatsModule {}
