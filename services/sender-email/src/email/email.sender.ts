import { bounceAddress } from '@switchboard/tracking';
import { defineSender, type SenderDefinition } from '@switchboard/channel-sdk';
import { mauticSignature } from '@switchboard/contracts';
import type { EmailConfig } from '../sender-email.config';
import { renderEmail, type EmailMessage } from './email.renderer';
import { SmtpProvider } from './smtp.provider';
import { WebViewRepository } from '../web-view/web-view.repository';

export function emailSender(config: EmailConfig): SenderDefinition {
  return defineSender<EmailMessage>({
    channel: 'email',
    provider: () => new SmtpProvider(config.smtp),
    inject: [WebViewRepository],
    // Mautic's `{signature}` for a contact without an owner (every contact here): its default
    // signature with the default From's name, as Mautic uses its `mailer_from_name`.
    liquidScope: { signature: mauticSignature(config.email.from) },
    render: (input) => {
      const message = renderEmail(input, config.email);
      const domain = config.bounces.domain;
      // VERP: a bounce or complaint comes back to an address that names (and signs) this dispatch.
      if (domain) message.returnPath = bounceAddress(config.tracking.secret, domain, input.dispatch.dispatchId);
      return message;
    },
    // Kept before the call, as Mautic keeps its copy: the link must answer once the email arrives.
    // Never for a test send (the SDK keeps nothing of one): its web view link is the sample page.
    keep: async (rendered, [copies]) => {
      await (copies as WebViewRepository).saveAll(
        rendered.flatMap(({ dispatch, message }) =>
          message.webView === undefined
            ? []
            : [
                {
                  dispatchId: dispatch.dispatchId,
                  contactId: dispatch.contact.id,
                  subject: message.subject,
                  html: message.webView,
                },
              ],
        ),
      );
    },
  });
}
