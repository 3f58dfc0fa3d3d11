import { Module, type DynamicModule } from '@nestjs/common';
import { serviceModule, type ServiceModuleOptions } from '@switchboard/service-kit';
import { CatalogChanges } from '@switchboard/messaging';
import { RoutableMessagesCache } from './catalog/routable-messages.cache';
import { ChannelRegistry } from './channels/channel-registry';
import { ContactErasedConsumer } from './deliveries/contact-erased.consumer';
import { DeliveriesService } from './deliveries/deliveries.service';
import { DeliveryEventsConsumer } from './deliveries/delivery-events.consumer';
import { DeliveryEventsRepository } from './deliveries/delivery-events.repository';
import { CreateRouterTables1767225600000 } from './migrations/1767225600000-CreateRouterTables';
import { RecordTimeIndexes1767225600100 } from './migrations/1767225600100-RecordTimeIndexes';
import { CanceledShipments1767225600200 } from './migrations/1767225600200-CanceledShipments';
import { DecisionTraceIds1796600000000 } from './migrations/1796600000000-DecisionTraceIds';
import { DeliveryEventCrashResends1796900000000 } from './migrations/1796900000000-DeliveryEventCrashResends';
import { DispatchLookupBySend1797100000000 } from './migrations/1797100000000-DispatchLookupBySend';
import { DecisionTokens1796990000000 } from './migrations/1796990000000-DecisionTokens';
import { DeliveryEventTargetRemoved1797050000000 } from './migrations/1797050000000-DeliveryEventTargetRemoved';
import { DeliveryEventVariants1797100000400 } from './migrations/1797100000400-DeliveryEventVariants';
import { routerPruner } from './retention';
import type { RouterConfig } from './router.config';
import { DecisionsRepository } from './routing/decisions.repository';
import { RoutingService } from './routing/routing.service';
import { SendRequestedConsumer } from './routing/send-requested.consumer';
import { SendsRpc } from './sends/sends.rpc';
import { SendsService } from './sends/sends.service';
import { CanceledShipmentsRepository } from './shipments/canceled-shipments.repository';
import { ShipmentCanceledConsumer } from './shipments/shipment-canceled.consumer';

@Module({})
export class RouterModule {}

export function createRouterModule(config: RouterConfig, options: ServiceModuleOptions = {}): DynamicModule {
  return serviceModule(RouterModule, {
    service: 'router',
    config,
    ...options,
    database: {
      schema: 'router',
      migrations: [
        CreateRouterTables1767225600000,
        RecordTimeIndexes1767225600100,
        CanceledShipments1767225600200,
        DecisionTraceIds1796600000000,
        DeliveryEventCrashResends1796900000000,
        DecisionTokens1796990000000,
        DeliveryEventTargetRemoved1797050000000,
        DispatchLookupBySend1797100000000,
        DeliveryEventVariants1797100000400,
      ],
    },
    providers: [
      CatalogChanges,
      RoutableMessagesCache,
      ChannelRegistry,
      DecisionsRepository,
      RoutingService,
      SendRequestedConsumer,
      DeliveryEventsRepository,
      DeliveriesService,
      DeliveryEventsConsumer,
      ContactErasedConsumer,
      SendsService,
      SendsRpc,
      CanceledShipmentsRepository,
      ShipmentCanceledConsumer,
      ...(config.routing.recordsRetentionDays > 0 ? [routerPruner(config)] : []),
    ],
  });
}
