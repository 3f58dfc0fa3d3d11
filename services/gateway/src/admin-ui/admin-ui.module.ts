import { Module } from '@nestjs/common';
import { locateAdminWeb } from './admin-web-dir';
import { AdminUiController } from './admin-ui.controller';
import { ADMIN_WEB_LOCATION, AdminUiService } from './admin-ui.service';

/** Serves the admin web UI at `/` and `/admin/*` (ADMIN_WEB_DIR overrides where its files are). */
@Module({
  controllers: [AdminUiController],
  providers: [AdminUiService, { provide: ADMIN_WEB_LOCATION, useFactory: () => locateAdminWeb() }],
})
export class AdminUiModule {}
