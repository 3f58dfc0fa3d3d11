import { Module } from '@nestjs/common';
import { StatsController } from './stats.controller';
import { StatsService } from './stats.service';

/** GET /api/messages/{id}/stats and /api/campaigns/{id}/stats (DESIGN §7.5), from the tracker's counters. */
@Module({ controllers: [StatsController], providers: [StatsService] })
export class StatsModule {}
