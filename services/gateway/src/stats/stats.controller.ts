import { Controller, Get, Param } from '@nestjs/common';
import { DomainError, StatsResponseSchema, StatsRestQuerySchema } from '@switchboard/contracts';
import type { z } from 'zod';
import { ApiDoc, IdParam, ZodQuery } from '../http';
import { StatsService } from './stats.service';

type Range = z.infer<typeof StatsRestQuerySchema>;
const CAMPAIGN_ID = /^[A-Za-z0-9._:-]{1,200}$/;

@Controller('api')
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  @Get('messages/:id/stats')
  @ApiDoc({
    summary: 'Figures of one message per channel, in total and per UTC day (DESIGN §7.5)',
    tags: ['stats'],
    responses: { 200: StatsResponseSchema },
  })
  async message(@IdParam() id: number, @ZodQuery(StatsRestQuerySchema) range: Range) {
    return { stats: await this.stats.message(id, range) };
  }

  @Get('campaigns/:id/stats')
  @ApiDoc({
    summary: 'Figures of one campaign (all its messages) per channel, in total and per UTC day',
    tags: ['stats'],
    responses: { 200: StatsResponseSchema },
  })
  async campaign(@Param('id') id: string, @ZodQuery(StatsRestQuerySchema) range: Range) {
    if (!CAMPAIGN_ID.test(id)) throw DomainError.notFound();
    return { stats: await this.stats.campaign(id, range) };
  }
}
