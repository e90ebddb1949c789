/**
 * How an operator command ends when its work fails: an expected failure (a bad file, a refused
 * delta, a build already running) is one line naming the file and the fix, exit code 1, no stack
 * trace; anything else is a bug and keeps its stack.
 */
import { DataError } from '../server/address-data/index-build.js';

export async function runOperatorCommand<T>(work: () => Promise<T>, cleanup: () => void = () => {}): Promise<T> {
  try {
    return await work();
  } catch (error) {
    cleanup();
    if (error instanceof DataError) {
      process.stderr.write(`\n${error.message}\n`);
      process.exit(1);
    }
    throw error;
  } finally {
    cleanup();
  }
}
