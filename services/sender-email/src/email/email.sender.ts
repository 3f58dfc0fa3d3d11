import { defineSender, type SenderDefinition } from '@switchboard/channel-sdk';
import type { EmailConfig } from '../sender-email.config';
import { renderEmail, type EmailMessage } from './email.renderer';
import { SmtpProvider } from './smtp.provider';

export function emailSender(config: EmailConfig): SenderDefinition {
  return defineSender<EmailMessage>({
    channel: 'email',
    provider: () => new SmtpProvider(config.smtp),
    render: (input) => renderEmail(input, config.email),
  });
}
