import { ConflictError, NotFoundError, ValidationError, type AppError } from '@reps/errors';
import type { DomainError } from '@reps/contacts-domain';

/** The one place domain refusals become HTTP errors. */
export function toAppError(error: DomainError): AppError {
  switch (error.code) {
    case 'not_found':
      return new NotFoundError(error.message);
    case 'already_exists':
      return new ConflictError(error.message, 'already_exists');
    case 'contact_discarded':
      return new ConflictError(error.message, 'contact_discarded');
    case 'forbidden_field':
    case 'owner_required':
      return new ValidationError([{ field: error.field, message: error.message }]);
    default: {
      const unreachable: never = error;
      throw new Error(`unmapped domain error ${JSON.stringify(unreachable)}`);
    }
  }
}
