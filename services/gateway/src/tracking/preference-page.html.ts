import type { Channel } from '@switchboard/contracts';
import type { FormErrors } from './preference-form';
import type { ChannelView, PreferencesView } from './preference-page.service';

export const CHANNEL_LABELS: Record<Channel, { name: string; send: string; plural: string }> = {
  email: { name: 'Email', send: 'Send me emails', plural: 'emails' },
  sms: { name: 'Text messages (SMS)', send: 'Send me text messages', plural: 'text messages' },
  notification: {
    name: 'Browser notifications',
    send: 'Send me browser notifications',
    plural: 'browser notifications',
  },
  mobile_notification: {
    name: 'Mobile app notifications',
    send: 'Send me app notifications',
    plural: 'app notifications',
  },
  tweet: { name: 'Messages on X (Twitter)', send: 'Mention me on X', plural: 'mentions on X' },
  inapp: { name: 'Messages in your inbox on our site', send: 'Put messages in my inbox', plural: 'inbox messages' },
};

const PERIODS = [
  ['DAY', 'per day'],
  ['WEEK', 'per week'],
  ['MONTH', 'per month'],
] as const;

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
  :root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; line-height: 1.5; }
  body { margin: 0; background: #f4f5f7; color: #1b1f24; }
  main { max-width: 40rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
  h1 { font-size: 1.6rem; margin: 0 0 1rem; }
  fieldset { border: 1px solid #b6bcc5; border-radius: 6px; background: #fff; margin: 0 0 1rem; padding: 0.75rem 1rem 1rem; }
  fieldset fieldset { border-style: dashed; background: transparent; margin: 0.75rem 0 0; }
  legend { font-weight: 600; padding: 0 0.25rem; }
  .row { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: end; }
  .field { display: flex; flex-direction: column; gap: 0.2rem; }
  .choice { display: flex; gap: 0.5rem; align-items: center; margin: 0.25rem 0; }
  input, select, button { font: inherit; }
  input[type=number], input[type=date], select { padding: 0.35rem 0.5rem; border: 1px solid #6b7480; border-radius: 4px; background: #fff; color: inherit; }
  input[type=number] { width: 6rem; }
  input[type=checkbox], input[type=radio] { width: 1.15rem; height: 1.15rem; }
  :focus-visible { outline: 3px solid #1a5fd0; outline-offset: 2px; }
  button { border: 0; border-radius: 4px; padding: 0.6rem 1.2rem; background: #1a5fd0; color: #fff; cursor: pointer; }
  button.secondary { background: #fff; color: #a1151b; border: 1px solid #a1151b; }
  .hint { color: #47505c; font-size: 0.95rem; margin: 0.25rem 0; }
  .error { color: #a1151b; font-weight: 600; margin: 0.2rem 0 0; }
  [aria-invalid=true] { border-color: #a1151b; border-width: 2px; }
  .status { background: #e4f4e8; border: 1px solid #2f7d45; padding: 0.75rem 1rem; border-radius: 6px; }
  .alert { background: #fbeaea; border: 1px solid #a1151b; padding: 0.75rem 1rem; border-radius: 6px; margin-bottom: 1rem; }
  .actions { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; margin-top: 1.5rem; }
`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;
}

function errorText(id: string, errors: FormErrors): { attrs: string; html: string } {
  const message = errors[id];
  if (!message) return { attrs: '', html: '' };
  return {
    attrs: ` aria-invalid="true" aria-describedby="${id}-error"`,
    html: `<p class="error" id="${id}-error">${escapeHtml(message)}</p>`,
  };
}

function channelFieldset(c: ChannelView, errors: FormErrors, posted?: Record<string, string>): string {
  const label = CHANNEL_LABELS[c.channel];
  const id = (f: string) => `${c.channel}-${f}`;
  const name = (f: string) => `channels[${c.channel}][${f}]`;
  const value = (f: keyof ChannelView, fallback: unknown) => escapeHtml(posted?.[f] ?? fallback ?? '');
  const lockedNote =
    c.locked === 'complained'
      ? 'We stopped using this channel because a message was reported as spam.'
      : c.locked === 'bounced'
        ? 'We stopped using this channel because messages could not be delivered.'
        : '';
  const number = errorText(id('frequencyNumber'), errors);
  const time = errorText(id('frequencyTime'), errors);
  const from = errorText(id('pauseFrom'), errors);
  const to = errorText(id('pauseTo'), errors);
  const time_ = posted?.frequencyTime ?? c.frequencyTime ?? '';
  return `
<fieldset>
  <legend>${escapeHtml(label.name)}</legend>
  <input type="hidden" name="${name('shown')}" value="1">
  <div class="choice">
    <input type="checkbox" id="${id('subscribed')}" name="${name('subscribed')}" value="on"${c.subscribed ? ' checked' : ''}${c.locked ? ` disabled aria-describedby="${id('locked')}"` : ''}>
    <label for="${id('subscribed')}">${escapeHtml(label.send)}</label>
  </div>
  ${lockedNote ? `<p class="hint" id="${id('locked')}">${escapeHtml(lockedNote)}</p>` : ''}
  <fieldset>
    <legend>How often</legend>
    <p class="hint" id="${id('frequency-hint')}">Leave empty for no limit.</p>
    <div class="row">
      <div class="field">
        <label for="${id('frequencyNumber')}">At most this many messages</label>
        <input type="number" inputmode="numeric" min="1" max="9999" step="1" id="${id('frequencyNumber')}" name="${name('frequencyNumber')}" value="${value('frequencyNumber', c.frequencyNumber)}"${number.attrs || ` aria-describedby="${id('frequency-hint')}"`}>
        ${number.html}
      </div>
      <div class="field">
        <label for="${id('frequencyTime')}">Period</label>
        <select id="${id('frequencyTime')}" name="${name('frequencyTime')}"${time.attrs}>
          <option value=""${time_ === '' ? ' selected' : ''}>No limit</option>
          ${PERIODS.map(([v, text]) => `<option value="${v}"${time_ === v ? ' selected' : ''}>${text}</option>`).join('\n          ')}
        </select>
        ${time.html}
      </div>
    </div>
  </fieldset>
  <fieldset>
    <legend>Take a break</legend>
    <div class="row">
      <div class="field">
        <label for="${id('pauseFrom')}">Pause from</label>
        <input type="date" id="${id('pauseFrom')}" name="${name('pauseFrom')}" value="${value('pauseFrom', c.pauseFrom)}"${from.attrs}>
        ${from.html}
      </div>
      <div class="field">
        <label for="${id('pauseTo')}">Pause until (inclusive)</label>
        <input type="date" id="${id('pauseTo')}" name="${name('pauseTo')}" value="${value('pauseTo', c.pauseTo)}"${to.attrs}>
        ${to.html}
      </div>
    </div>
  </fieldset>
</fieldset>`;
}

export interface PreferencePageModel {
  action: string;
  linkChannel: Channel;
  view: PreferencesView;
  saved?: boolean;
  errors?: FormErrors;
  /** What the contact posted, shown again next to the errors. */
  posted?: { preferredChannel?: string; channels?: Partial<Record<Channel, Record<string, string>>> };
}

export function preferencePage(m: PreferencePageModel): string {
  const errors = m.errors ?? {};
  const preferred = m.posted?.preferredChannel ?? m.view.preferredChannel ?? '';
  const summary = Object.entries(errors);
  const radio = (value: string, text: string) => `
    <div class="choice">
      <input type="radio" id="preferred-${escapeHtml(value || 'none')}" name="preferredChannel" value="${escapeHtml(value)}"${preferred === value ? ' checked' : ''}>
      <label for="preferred-${escapeHtml(value || 'none')}">${escapeHtml(text)}</label>
    </div>`;
  const body = `
<h1>Your communication preferences</h1>
${m.saved ? '<p class="status" role="status">Your preferences have been saved.</p>' : ''}
${
  summary.length
    ? `<div class="alert" role="alert">
  <h2>Please correct the following</h2>
  <ul>${summary.map(([id, msg]) => `<li>${id === 'form' ? escapeHtml(msg) : `<a href="#${escapeHtml(id)}">${escapeHtml(msg)}</a>`}</li>`).join('')}</ul>
</div>`
    : ''
}
<form method="post" action="${escapeHtml(m.action)}">
  <input type="hidden" name="form" value="preferences">
  <fieldset>
    <legend>Preferred channel</legend>
    <p class="hint">When a message can reach you in several ways, we use this one first.</p>
    ${radio('', 'No preference')}
    ${m.view.channels.map((c) => radio(c.channel, CHANNEL_LABELS[c.channel].name)).join('')}
  </fieldset>
  ${m.view.channels.map((c) => channelFieldset(c, errors, m.posted?.channels?.[c.channel])).join('\n')}
  <div class="actions">
    <button type="submit">Save preferences</button>
  </div>
</form>
<form method="post" action="${escapeHtml(m.action)}" class="actions">
  <input type="hidden" name="List-Unsubscribe" value="One-Click">
  <button type="submit" class="secondary">Unsubscribe from all ${escapeHtml(CHANNEL_LABELS[m.linkChannel].plural)}</button>
</form>`;
  return page('Your communication preferences', body);
}

export function unsubscribedPage(channel: Channel, manageUrl: string | null): string {
  return page(
    'You are unsubscribed',
    `<h1>You are unsubscribed</h1>
<p class="status" role="status">You will no longer receive ${escapeHtml(CHANNEL_LABELS[channel].plural)} from us.</p>
${manageUrl ? `<p><a href="${escapeHtml(manageUrl)}">Manage all your communication preferences</a></p>` : ''}`,
  );
}

export function messagePage(title: string, text: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(text)}</p>`);
}
