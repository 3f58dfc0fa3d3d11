import { Module } from '@nestjs/common';
import { SendsModule } from '../sends/sends.module';
import { EmailSendsController } from './email-sends.controller';
import { EmailSendsService } from './email-sends.service';

/** Mautic's email send endpoints (DESIGN §7.4): segment emails and one email to one contact. */
@Module({ imports: [SendsModule], controllers: [EmailSendsController], providers: [EmailSendsService] })
export class EmailSendsModule {}
