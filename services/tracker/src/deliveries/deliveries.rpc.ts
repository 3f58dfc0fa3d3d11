import { Injectable } from '@nestjs/common';
import { trackerDeliveriesList, type DeliveriesPage, type DeliveriesQuery } from '@switchboard/contracts';
import { RpcHandler } from '@switchboard/messaging';
import { DeliveriesRepository } from './deliveries.repository';

@Injectable()
export class DeliveriesRpc {
  constructor(private readonly deliveries: DeliveriesRepository) {}

  @RpcHandler(trackerDeliveriesList)
  list(query: DeliveriesQuery): Promise<DeliveriesPage> {
    return this.deliveries.page(query);
  }
}
