import { Module } from '@nestjs/common';
import { PreferencePageService } from './preference-page.service';
import { TrackingController } from './tracking.controller';
import { TrackingService } from './tracking.service';

/** Public tracking endpoints (DESIGN §7.6): /t/o, /t/c and /u. */
@Module({
  controllers: [TrackingController],
  providers: [TrackingService, PreferencePageService],
  exports: [TrackingService],
})
export class TrackingModule {}
