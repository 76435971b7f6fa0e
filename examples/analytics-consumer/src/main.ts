import { ConfigError, readConfig } from './config';
import { startAnalyticsConsumer, type RunningAnalyticsConsumer } from './consumer/analytics-consumer';
import { countByCompany } from './counts/company-counts';
import { renderStats, renderTable, type TableColumns } from './counts/table';
import { createEventClassifier } from './events/event-classifier';
import { dataEnum, loadPublishedSchemas } from './events/published-schemas';

/** No message for this long counts as idle: the table is printed then rather than mid-burst. */
const IDLE_MS = 1000;

async function main(): Promise<void> {
  const config = readConfig(process.env);
  const schemas = loadPublishedSchemas(config.schemasDir);
  const columns: TableColumns = {
    statuses: dataEnum(schemas, 'contact.created', 'status'),
    origins: dataEnum(schemas, 'contact.created', 'origin'),
  };
  console.log(
    `analytics-consumer-example: group ${config.groupId} on ${config.brokers.join(',')}, ` +
      `${schemas.length} published schemas from ${config.schemasDir}, ` +
      (config.fromBeginning
        ? 'rebuilding from the beginning of each topic'
        : 'resuming from the committed offsets'),
  );

  // Signals may arrive while the consumer is still starting, so shutdown copes with it absent.
  const app: { consumer?: RunningAnalyticsConsumer; timer?: NodeJS.Timeout; shuttingDown: boolean } = {
    shuttingDown: false,
  };
  const shutdown = async (code: number, reason: string) => {
    if (app.shuttingDown) return;
    app.shuttingDown = true;
    clearInterval(app.timer);
    console.log(`\nstopping (${reason})`);
    if (app.consumer) {
      await app.consumer.stop().catch((error: unknown) => console.error('stop failed:', error));
      print(app.consumer, 'final');
    }
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      // A second signal while stopping means "now".
      if (app.shuttingDown) process.exit(130);
      void shutdown(0, signal);
    });
  }

  const print = (running: RunningAnalyticsConsumer, label: string, lag?: number) => {
    const when = new Date().toISOString();
    console.log(
      `\n[${when}] ${label}${lag === undefined ? '' : ` · lag ${lag}`} · topics ${running.topics.join(', ')}`,
    );
    console.log(renderTable(countByCompany(running.tally.contacts.values()), columns));
    console.log(renderStats(running.tally.stats));
  };

  const running = await startAnalyticsConsumer({
    brokers: config.brokers,
    groupId: config.groupId,
    topics: config.topics,
    fromBeginning: config.fromBeginning,
    classify: createEventClassifier(schemas),
    log: (line) => console.warn(line),
    onCrash: (error) => void shutdown(1, `the Kafka client gave up: ${error.message}`),
  });
  app.consumer = running;
  if (running.missingTopics.length > 0) {
    console.log(`not present (yet), skipped: ${running.missingTopics.join(', ')} — restart to pick them up`);
  }

  // The first table waits for the first idle moment (usually: caught up), or printEveryMs.
  const startedAt = Date.now();
  let printedAt = startedAt;
  let printedMessages = -1;
  let printing = false;
  app.timer = setInterval(() => {
    const now = Date.now();
    if (printing || running.tally.stats.messages === printedMessages || now - startedAt < IDLE_MS) return;
    const idle = now - (running.lastMessageAt() ?? 0) >= IDLE_MS;
    if (!idle && now - printedAt < config.printEveryMs) return;
    printing = true;
    printedMessages = running.tally.stats.messages;
    running
      .lag()
      .catch(() => undefined)
      .then((lag) => {
        if (app.shuttingDown) return;
        print(running, lag === 0 ? 'caught up' : idle ? 'idle' : 'running', lag);
        printedAt = Date.now();
      })
      .finally(() => (printing = false));
  }, 250);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? `configuration: ${error.message}` : error);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
