import type { ContactCommand } from '@reps/contacts-domain';
import type { Logger } from '@reps/observability';
import type { ContactCommandHandler } from '../contacts/contact-command-handler';
import type { TaskCommandHandler } from './task-command-handler';

/**
 * A contact's open tasks go where the contact goes: after a company's update that names an owner
 * (a reassignment, or the same owner again), each open task on the contact is moved to the owner
 * by a `task.updated {user_id}` (the notifier moves its reminder). The contact's write stands
 * whatever happens here; a reaction that fails part-way is logged and completed by the next
 * company update naming the owner (the move is idempotent), see docs/notes-and-tasks.md.
 */
export function withTasksFollowingContacts(
  contacts: ContactCommandHandler,
  tasks: TaskCommandHandler,
  logger: Logger,
): ContactCommandHandler {
  return {
    ...contacts,
    async execute(makeCommand, context) {
      let command: ContactCommand | undefined;
      const outcome = await contacts.execute((now) => (command = makeCommand(now)), context);
      if (
        command?.type === 'UpdateContact' &&
        command.actor.scope === 'company' &&
        'user_id' in command.body &&
        command.body.user_id !== undefined
      ) {
        try {
          await tasks.followContactOwner(outcome.state, context.correlationId);
        } catch (error) {
          logger.error(
            { err: error, contact_id: outcome.state.id },
            'open tasks did not all follow their reassigned contact',
          );
        }
      }
      return outcome;
    },
  };
}
