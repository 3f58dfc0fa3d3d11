import { Module } from '@nestjs/common';
import { DeliveriesRepository } from './deliveries.repository';
import { DeliveriesRpc } from './deliveries.rpc';

@Module({ providers: [DeliveriesRepository, DeliveriesRpc], exports: [DeliveriesRepository] })
export class DeliveriesModule {}
