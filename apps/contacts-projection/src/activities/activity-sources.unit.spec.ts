import { contactStream, groupStream, smartlinkStream } from '@reps/contacts-read-model';
import type { ActivitySource, SourceEvent } from './activity-source';
import { activitySources } from './activity-sources';
import { fieldList } from './sources/contact-activities';

const sources = activitySources({ contacts: 'c', groups: 'g', smartlinks: 's' });
const source = (topic: string) => sources.get(topic) as ActivitySource;
/** Through the wire format, as the projection gets it. */
const entries = (topic: string, event: SourceEvent) => {
  const decoded = source(topic).decode(Buffer.from(JSON.stringify(event)));
  expect(decoded).not.toBeNull();
  return source(topic).entriesOf(decoded!);
};

describe('activity timeline entries', () => {
  it('say what the contact did with a SmartLink, in one human sentence', () => {
    const link = smartlinkStream({ smartlinkId: 9, tenant: 3, owner: 7, contactId: 5 });
    const created = link.created();
    const opened = link.opened();
    expect(entries('s', created)).toEqual([
      expect.objectContaining({
        _id: created.id,
        id: created.id,
        contact_id: 5,
        user_id: 7,
        type: 'smartlink.created',
        summary: 'Was sent a link to Collagen Boost',
      }),
    ]);
    expect(entries('s', opened)[0]).toMatchObject({
      _id: opened.id,
      type: 'smartlink.opened',
      summary: 'Opened the link to Collagen Boost',
      occurred_at: opened.type === 'smartlink.opened' ? opened.data.occurred_at : undefined,
      data: { smartlink_id: 9 },
    });
    expect(entries('s', link.activity('added_to_cart', 'Collagen Boost'))[0]!.summary).toBe(
      'Added to cart: Collagen Boost',
    );
    expect(entries('s', link.activity('purchased'))[0]!.summary).toBe('Purchased: Collagen Boost');
    expect(entries('s', link.revoked())[0]!.summary).toBe('A shared link was revoked');
  });

  it('name the shared item by its type when the rep gave no name', () => {
    const link = smartlinkStream({ smartlinkId: 9, tenant: 3, owner: 7, contactId: 5, shareableName: null });
    expect(entries('s', link.created())[0]!.summary).toBe('Was sent a link to a product');
    expect(entries('s', link.opened())[0]!.summary).toBe('Opened the link to a product');
    expect(entries('s', link.activity('viewed'))[0]!.summary).toBe('Viewed: a product');
  });

  it('cover the contact’s own life without the values of changed fields', () => {
    const contact = contactStream({ contactId: 5, tenant: 3, owner: 7, origin: 'company_website' });
    const created = entries('c', contact.created({ first_name: 'Ada' }))[0]!;
    expect(created).toMatchObject({
      summary: 'Signed up on the company website',
      company_visible: true,
      data: { origin: 'company_website' },
    });
    const updated = entries('c', contact.updated({ email: 'ada@example.com', first_name: 'Ada B' }))[0]!;
    expect(updated.summary).toBe('Updated email and first name');
    expect(JSON.stringify(updated)).not.toContain('ada@example.com');
    expect(entries('c', contact.reassigned(8))[0]).toMatchObject({
      user_id: 8,
      summary: 'Reassigned to another rep',
    });
    expect(entries('c', contact.discarded())[0]!.summary).toBe('Deleted');
    expect(entries('c', contact.restored())[0]!.summary).toBe('Restored');
    expect(fieldList(['a', 'b', 'c_d'])).toBe('a, b and c d');
  });

  it('give each contact joining a group its own entry, never shown to a company', () => {
    const group = groupStream({ groupId: 4, tenant: 3, owner: 7 });
    group.created('VIP');
    const added = group.added([5, 6]);
    const docs = entries('g', added);
    expect(docs.map((d) => [d._id, d.id, d.contact_id, d.company_visible, d.summary])).toEqual([
      [`${added.id}:5`, added.id, 5, false, 'Added to a group'],
      [`${added.id}:6`, added.id, 6, false, 'Added to a group'],
    ]);
    expect(entries('g', group.removed(5))[0]).toMatchObject({
      _id: expect.any(String),
      contact_id: 5,
      summary: 'Removed from a group',
    });
    expect(entries('g', group.renamed('VIPs', 'VIP'))).toEqual([]);
  });

  it('read nothing from a message their topic’s own projection dead-letters', () => {
    expect(source('s').decode(Buffer.from('{not json'))).toBeNull();
    expect(source('s').decode(Buffer.from(JSON.stringify({ type: 'smartlink.opened' })))).toBeNull();
    expect(source('s').decode(null)).toBeNull();
  });
});
