import { Module } from '@nestjs/common';
import { DeliveriesRepository } from './deliveries.repository';
import { DeliveriesRpc } from './deliveries.rpc';
import { UnsubscriptionsRepository } from './unsubscriptions.repository';

@Module({
  providers: [DeliveriesRepository, UnsubscriptionsRepository, DeliveriesRpc],
  exports: [DeliveriesRepository],
})
export class DeliveriesModule {}
