import { Module } from '@nestjs/common';
import { CampaignsController } from './campaigns.controller';
import { CampaignsService } from './campaigns.service';

/** `/api/campaigns` (DESIGN §7.4); campaign-actions owns the data. */
@Module({ controllers: [CampaignsController], providers: [CampaignsService] })
export class CampaignsModule {}
