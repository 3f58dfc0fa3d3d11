import { Controller, Get } from '@nestjs/common';
import { z } from 'zod';
import { ChannelSchema } from '@switchboard/contracts';
import { ApiDoc } from '../http';
import { ChannelRegistry } from './channel-registry';

const ChannelsReply = z.object({
  channels: z.array(
    z.object({
      channel: ChannelSchema,
      available: z.boolean().describe('A sender is deployed: sends are routed here, and wait while it is down'),
      up: z.boolean().describe('At least one sender instance is live right now'),
      provider: z.string().nullable(),
      status: z.enum(['up', 'degraded', 'down']).nullable().describe('Best breaker state among live instances'),
      instances: z.number().int(),
      lastAnnouncedAt: z.string().nullable(),
      unavailableReason: z.enum(['never announced', 'removed', 'silent']).nullable(),
    }),
  ),
});

@Controller('api/channels')
export class ChannelsController {
  constructor(private readonly registry: ChannelRegistry) {}

  @Get()
  @ApiDoc({
    summary: 'Channels: available (a sender is deployed) and up (live instances, from heartbeats)',
    tags: ['channels'],
    responses: { 200: ChannelsReply },
  })
  async list() {
    await this.registry.ready();
    return { channels: this.registry.channels() };
  }
}
