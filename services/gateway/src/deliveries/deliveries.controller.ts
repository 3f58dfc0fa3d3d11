import { Controller, Get } from '@nestjs/common';
import {
  DeliveriesResponseSchema,
  DeliveriesRestQuerySchema,
  UnsubscriptionsResponseSchema,
  UnsubscriptionsRestQuerySchema,
  type DeliveriesRestQuery,
} from '@switchboard/contracts';
import type { z } from 'zod';
import { ApiDoc, ZodQuery } from '../http';
import { DeliveriesService } from './deliveries.service';

@Controller('api')
export class DeliveriesController {
  constructor(private readonly deliveries: DeliveriesService) {}

  @Get('deliveries')
  @ApiDoc({
    summary: 'The deliveries log: one row per send, newest first; pass `next` back as `after` for the next page',
    tags: ['deliveries'],
    responses: { 200: DeliveriesResponseSchema },
  })
  list(@ZodQuery(DeliveriesRestQuerySchema) query: DeliveriesRestQuery) {
    return this.deliveries.page(query);
  }

  @Get('unsubscriptions')
  @ApiDoc({
    summary:
      'Contacts who unsubscribed from a channel (latest per contact and channel); `active` false once re-enrolled',
    tags: ['deliveries'],
    responses: { 200: UnsubscriptionsResponseSchema },
  })
  unsubscriptions(@ZodQuery(UnsubscriptionsRestQuerySchema) query: z.infer<typeof UnsubscriptionsRestQuerySchema>) {
    return this.deliveries.unsubscriptions(query);
  }
}
