import { defineSender, type SenderDefinition } from '@switchboard/channel-sdk';
import type { SmsConfig } from '../sender-sms.config';
import { SmppProvider } from './smpp.provider';
import { renderSms, type SmsMessage } from './sms.renderer';
import { TwilioProvider } from './twilio.provider';

export function smsSender(config: SmsConfig): SenderDefinition {
  return defineSender<SmsMessage>({
    channel: 'sms',
    provider: ({ feedback, logger }) =>
      config.sms.provider === 'smpp'
        ? new SmppProvider(config.sms.smpp, feedback, logger)
        : new TwilioProvider(config.sms.twilio, config.breaker.timeoutMs),
    render: (input) => renderSms(input, config.sms),
  });
}
