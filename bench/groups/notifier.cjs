// The notifier's figures (pushes/s, event-to-push latency): a placeholder reporting "not
// available" until the notifier exists; its builder replaces run() (and needs/ports/settings).
module.exports = {
  name: 'notifier',
  title: 'notifier pushes/s and event-to-push latency (not available yet)',
  order: 90,
  estimateS: () => 0,
  async run(ctx) {
    ctx.skip(
      'notifier: pushes/s and event-to-push latency',
      'not available yet: the notifier is not built (apps/notifier is a skeleton)',
    );
  },
};
