import { Module } from '@nestjs/common';
import { ShipmentStatsRepository } from './shipment-stats.repository';
import { StatsRepository } from './stats.repository';
import { StatsRpc } from './stats.rpc';

@Module({ providers: [StatsRepository, ShipmentStatsRepository, StatsRpc] })
export class StatsModule {}
