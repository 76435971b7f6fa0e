import { MongoServerError } from 'mongodb';

/** Duplicate-key violation (E11000): the signal a unique index gives for a lost race. */
export function isDuplicateKeyError(error: unknown): error is MongoServerError {
  return error instanceof MongoServerError && error.code === 11000;
}
