import { Module } from '@nestjs/common';
import { ContactErasedConsumer } from './contact-erased.consumer';
import { ContactsRepository } from './contacts.repository';
import { DispatchLabelConsumer } from './dispatch-label.consumer';

@Module({
  providers: [ContactsRepository, DispatchLabelConsumer, ContactErasedConsumer],
})
export class ContactsModule {}
