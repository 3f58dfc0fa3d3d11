import { Injectable } from '@nestjs/common';
import {
  trackerDeliveriesList,
  trackerUnsubscriptionsList,
  type DeliveriesPage,
  type DeliveriesQuery,
  type Unsubscription,
} from '@switchboard/contracts';
import { RpcHandler } from '@switchboard/messaging';
import { DeliveriesRepository } from './deliveries.repository';
import { UnsubscriptionsRepository, type UnsubscriptionsQuery } from './unsubscriptions.repository';

@Injectable()
export class DeliveriesRpc {
  constructor(
    private readonly deliveries: DeliveriesRepository,
    private readonly unsubscriptions: UnsubscriptionsRepository,
  ) {}

  @RpcHandler(trackerDeliveriesList)
  list(query: DeliveriesQuery): Promise<DeliveriesPage> {
    return this.deliveries.page(query);
  }

  @RpcHandler(trackerUnsubscriptionsList)
  unsubscribed(query: UnsubscriptionsQuery): Promise<{ total: number; unsubscriptions: Unsubscription[] }> {
    return this.unsubscriptions.list(query);
  }
}
