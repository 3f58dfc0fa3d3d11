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
    // `{{ optout }}` puts the opt-out text where the content wants it (DESIGN §7.2).
    liquidScope: { optout: config.sms.optOutText },
    render: (input) => renderSms(input, config.sms),
  });
}
