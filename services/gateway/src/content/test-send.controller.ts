import { Controller, HttpCode, Post, type Type } from '@nestjs/common';
import type { z } from 'zod';
import {
  CONTENT_REST,
  TEST_SEND_REQUEST_SCHEMAS,
  TestSendReplySchema,
  type ContentType,
  type TestSendRequest,
} from '@switchboard/contracts';
import { ApiDoc, IdParam, ZodBody } from '../http';
import { TestSendService } from './test-send.service';

const ADDRESSES: Record<ContentType, string> = {
  email: 'an email address',
  sms: 'an E.164 mobile number',
  notification:
    'a web-push subscription {endpoint, keys} (sent by web push) or a device {token, platform} (sent by FCM)',
  tweet: 'a twitter handle',
  inapp: "a contact id (the test lands in that contact's inbox)",
};

/** `POST /api/<type>/{id}/test` → `{"test": {address, channel, provider, providerMessageId?}}` (DESIGN §7.2). */
export function testSendController(type: ContentType): Type {
  const { path, item, list } = CONTENT_REST[type];
  const schema = TEST_SEND_REQUEST_SCHEMAS[type] as z.ZodType<TestSendRequest>;

  @Controller(`api/${path}`)
  class TestSendController {
    constructor(readonly tests: TestSendService) {}

    @Post(':id/test')
    @HttpCode(200)
    @ApiDoc({
      summary: `Send a test of a ${item} (published or not) now to ${ADDRESSES[type]}, rendered for a contact id or sample fields; nothing counts it. 503 when no sender of the channel runs`,
      tags: [list],
      body: schema,
      responses: { 200: TestSendReplySchema },
    })
    async test(@IdParam() id: number, @ZodBody(schema) body: TestSendRequest) {
      return this.tests.send(type, id, body);
    }
  }

  Object.defineProperty(TestSendController, 'name', {
    value: `${path.charAt(0).toUpperCase()}${path.slice(1)}TestSendController`,
  });
  return TestSendController;
}
