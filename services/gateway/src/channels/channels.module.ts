import { Module } from '@nestjs/common';
import { ChannelRegistry } from './channel-registry';
import { ChannelsController } from './channels.controller';

@Module({ controllers: [ChannelsController], providers: [ChannelRegistry], exports: [ChannelRegistry] })
export class ChannelsModule {}
