import { AppFailure } from '#contract';

/** The AppFailure `p` rejects with; anything else (a resolve, another error) fails the test. */
export async function failure(p: Promise<unknown>): Promise<AppFailure> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppFailure) return e;
    throw e;
  }
  throw new Error('expected a failure');
}

/** The code `p` fails with, or 'OK' when it resolves. */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (e) {
    if (e instanceof AppFailure) return e.code;
    throw e;
  }
}
