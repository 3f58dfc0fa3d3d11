import { Module } from '@nestjs/common';
import { ContactSearch } from './contact-search';
import { DeliveriesRepository } from './deliveries.repository';
import { DeliveriesRpc } from './deliveries.rpc';
import { UnsubscriptionsRepository } from './unsubscriptions.repository';

@Module({
  providers: [ContactSearch, DeliveriesRepository, UnsubscriptionsRepository, DeliveriesRpc],
  exports: [DeliveriesRepository],
})
export class DeliveriesModule {}
