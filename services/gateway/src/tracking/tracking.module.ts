import { Module } from '@nestjs/common';
import { PreferencePageService } from './preference-page.service';
import { TrackingController } from './tracking.controller';
import { TrackingService } from './tracking.service';
import { WebViewController } from './web-view.controller';

/** Public tracking endpoints (DESIGN §7.6): /t/o, /t/c, /u and an email's web view /email/view. */
@Module({
  controllers: [TrackingController, WebViewController],
  providers: [TrackingService, PreferencePageService],
  exports: [TrackingService],
})
export class TrackingModule {}
