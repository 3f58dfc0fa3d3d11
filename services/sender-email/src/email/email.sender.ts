import { bounceAddress } from '@switchboard/tracking';
import { defineSender, type SenderDefinition } from '@switchboard/channel-sdk';
import type { EmailConfig } from '../sender-email.config';
import { renderEmail, type EmailMessage } from './email.renderer';
import { SmtpProvider } from './smtp.provider';

export function emailSender(config: EmailConfig): SenderDefinition {
  return defineSender<EmailMessage>({
    channel: 'email',
    provider: () => new SmtpProvider(config.smtp),
    render: (input) => {
      const message = renderEmail(input, config.email);
      const domain = config.bounces.domain;
      // VERP: a bounce or complaint comes back to an address that names (and signs) this dispatch.
      if (domain) message.returnPath = bounceAddress(config.tracking.secret, domain, input.dispatch.dispatchId);
      return message;
    },
  });
}
