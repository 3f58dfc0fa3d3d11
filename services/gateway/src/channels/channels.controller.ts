import { Controller, Get } from '@nestjs/common';
import { z } from 'zod';
import { ChannelSchema } from '@switchboard/contracts';
import { ApiDoc } from '../http';
import { ChannelRegistry } from './channel-registry';

const ChannelsReply = z.object({
  channels: z.array(
    z.object({
      channel: ChannelSchema,
      available: z.boolean(),
      provider: z.string().nullable(),
      status: z.enum(['up', 'degraded', 'down']).nullable(),
      instances: z.number().int(),
    }),
  ),
});

@Controller('api/channels')
export class ChannelsController {
  constructor(private readonly registry: ChannelRegistry) {}

  @Get()
  @ApiDoc({
    summary: 'Channels and whether a live sender serves each (from heartbeats)',
    tags: ['channels'],
    responses: { 200: ChannelsReply },
  })
  list() {
    return { channels: this.registry.channels() };
  }
}
