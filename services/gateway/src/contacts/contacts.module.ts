import { Module } from '@nestjs/common';
import { ContactsController } from './contacts.controller';
import { ContactsService } from './contacts.service';

/** `/api/contacts` (DESIGN §7.3). */
@Module({ controllers: [ContactsController], providers: [ContactsService] })
export class ContactsModule {}
