import { bounceAddress } from '@switchboard/tracking';
import { DeliveryError, defineSender, RENDER_NOT_KEPT, type SenderDefinition } from '@switchboard/channel-sdk';
import type { EmailConfig } from '../sender-email.config';
import { renderEmail, type EmailMessage } from './email.renderer';
import { SmtpProvider } from './smtp.provider';
import { WebViewRepository } from '../web-view/web-view.repository';

export function emailSender(config: EmailConfig): SenderDefinition {
  return defineSender<EmailMessage>({
    channel: 'email',
    provider: () => new SmtpProvider(config.smtp),
    inject: [WebViewRepository],
    render: async (input, [copies]) => {
      const message = renderEmail(input, config.email);
      // Kept before the call, as Mautic keeps its copy: the link must answer once the email arrives.
      // A test send's web view link is the sample one, which shows no copy.
      if (message.webView !== undefined && !input.test) {
        await (copies as WebViewRepository)
          .save({
            dispatchId: input.dispatch.dispatchId,
            contactId: input.dispatch.contact.id,
            subject: message.subject,
            html: message.webView,
          })
          .catch((error: unknown) => {
            throw DeliveryError.transient(RENDER_NOT_KEPT, 'the web view copy was not stored', error);
          });
      }
      const domain = config.bounces.domain;
      // VERP: a bounce or complaint comes back to an address that names (and signs) this dispatch.
      if (domain) message.returnPath = bounceAddress(config.tracking.secret, domain, input.dispatch.dispatchId);
      return message;
    },
  });
}
