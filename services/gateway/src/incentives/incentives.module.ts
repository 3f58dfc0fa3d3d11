import { Module } from '@nestjs/common';
import { IncentivesController } from './incentives.controller';

/** `/api/incentives`: coupon pools (DESIGN §7.2). */
@Module({ controllers: [IncentivesController] })
export class IncentivesModule {}
