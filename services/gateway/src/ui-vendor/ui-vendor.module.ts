import { Module } from '@nestjs/common';
import { UiVendorController } from './ui-vendor.controller';

/** `/vendor/*`: the browser libraries the admin UI loads (DESIGN §3: admin-web is static files served by the gateway). */
@Module({ controllers: [UiVendorController] })
export class UiVendorModule {}
