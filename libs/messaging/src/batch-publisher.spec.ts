import { NatsNames } from '@switchboard/contracts';
import { BatchPublisher } from './batch-publisher';
import type { EventPublisher, PublishOptions } from './publisher';

const names = new NatsNames('spec');
const subject = names.subjects.dispatch('email');

/** Strings JSON escapes, and characters of two, three and four UTF-8 bytes (a lone surrogate JSON spells as `\udXXX`). */
const AWKWARD = [
  'quote " backslash \\ slash /',
  'tab\tnew\nline\r\u0000\u001f\u007f',
  'Zoë Ærø',
  '李小龍',
  '🙂 👩‍👩‍👧',
  '\ud800 lone',
];

function dispatch(i: number, name: string) {
  return {
    dispatchId: `d${i}:0`,
    sendId: `s${i}`,
    messageId: 7,
    channel: 'email',
    contentId: 11,
    contact: { id: `c${i}`, address: `c${i}@example.org`, locale: null, timezone: null, fields: { firstname: name } },
    campaignId: '3',
  };
}

function recorder() {
  const sent: { data: Uint8Array; msgId: string }[] = [];
  const publisher = {
    publishBytes: (_subject: string, data: Uint8Array, options: PublishOptions) => {
      sent.push({ data: data.slice(), msgId: options.msgId });
      return Promise.resolve({ stream: 'x', seq: sent.length, duplicate: false });
    },
  } as unknown as EventPublisher;
  return { publisher, sent };
}

describe('BatchPublisher', () => {
  it("writes a batch message byte for byte as JSON.stringify's UTF-8, escapes and non-ASCII included", async () => {
    const { publisher, sent } = recorder();
    const sut = new BatchPublisher(publisher, names);
    const items = AWKWARD.map((name, i) => dispatch(i, name));

    await sut.publish(subject, items);
    await sut.publish(subject, [dispatch(99, AWKWARD[4])]);

    expect(sent).toHaveLength(2);
    expect(Buffer.from(sent[0].data).equals(Buffer.from(JSON.stringify({ dispatches: items })))).toBe(true);
    expect(Buffer.from(sent[1].data).equals(Buffer.from(JSON.stringify(dispatch(99, AWKWARD[4]))))).toBe(true);
    expect(sent[1].msgId).toBe('d99:0');
  });

  it('fills a message up to maxBytes counted in UTF-8 bytes, not characters', async () => {
    const { publisher, sent } = recorder();
    // A name of 400 characters of 3 bytes each: counted in characters, a message would take 3 times as many.
    const items = Array.from({ length: 10 }, (_, i) => dispatch(i, '李'.repeat(400)));
    const itemBytes = Buffer.byteLength(JSON.stringify(items[0]));
    const sut = new BatchPublisher(publisher, names, { maxBytes: 32 + 4 * (itemBytes + 1) });

    await sut.publish(subject, items);

    expect(sent.map((m) => m.data.length)).toEqual([
      Buffer.byteLength(JSON.stringify({ dispatches: items.slice(0, 4) })),
      Buffer.byteLength(JSON.stringify({ dispatches: items.slice(4, 8) })),
      Buffer.byteLength(JSON.stringify({ dispatches: items.slice(8) })),
    ]);
    expect(Buffer.concat(sent.map((m) => m.data)).toString()).toBe(
      [0, 4, 8].map((from) => JSON.stringify({ dispatches: items.slice(from, from + 4) })).join(''),
    );
  });
});
