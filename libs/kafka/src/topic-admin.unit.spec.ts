import type { Admin } from 'kafkajs';
import { createTopicAdmin } from './kafkajs-event-bus';

/** What kafkajs throws while a just-created topic is not visible yet. */
const unknownTopic = () =>
  Object.assign(new Error('This server does not host this topic-partition'), {
    type: 'UNKNOWN_TOPIC_OR_PARTITION',
    retriable: true,
  });
const metadata = (leader: number) => ({ topics: [{ name: 't1', partitions: [{ partitionId: 0, leader }] }] });

function stubAdmin(createTopics: () => Promise<boolean>, answers: (() => ReturnType<typeof metadata>)[]) {
  let calls = 0;
  const admin = {
    listTopics: async () => [],
    createTopics,
    fetchTopicMetadata: async () => {
      const answer = answers[Math.min(calls, answers.length - 1)]!;
      calls++;
      return answer();
    },
  };
  return { admin: admin as unknown as Admin, metadataCalls: () => calls };
}

describe('ensureTopics', () => {
  // npm run chaos found it: on a fresh cluster contacts-command failed to start because kafkajs'
  // wait for leaders does not retry UNKNOWN_TOPIC_OR_PARTITION right after the topic was created.
  it('waits for leaders through "unknown topic" answers right after creating', async () => {
    const { admin, metadataCalls } = stubAdmin(
      () => Promise.reject(unknownTopic()),
      [
        () => {
          throw unknownTopic();
        },
        () => metadata(-1),
        () => metadata(1),
      ],
    );
    await createTopicAdmin(admin, { pauseMs: 1 }).ensureTopics([
      { name: 't1', partitions: 1, retentionMs: -1 },
    ]);
    expect(metadataCalls()).toBe(3);
  });

  it('fails on an error that retrying cannot fix, and when leaders never come', async () => {
    const invalid = Object.assign(new Error('Replication factor is invalid'), {
      type: 'INVALID_REPLICATION_FACTOR',
      retriable: false,
    });
    const refused = stubAdmin(() => Promise.reject(invalid), [() => metadata(1)]);
    await expect(
      createTopicAdmin(refused.admin).ensureTopics([{ name: 't1', partitions: 1, retentionMs: -1 }]),
    ).rejects.toBe(invalid);

    const leaderless = stubAdmin(() => Promise.resolve(true), [() => metadata(-1)]);
    await expect(
      createTopicAdmin(leaderless.admin, { leaderTimeoutMs: 20, pauseMs: 5 }).ensureTopics([
        { name: 't1', partitions: 1, retentionMs: -1 },
      ]),
    ).rejects.toThrow(/no leaders/);
  });
});
