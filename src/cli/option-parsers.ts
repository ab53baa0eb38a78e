import { InvalidArgumentError } from 'commander';

/**
 * A commander argument parser for a whole number from `min` to `max`. Commander puts the option's
 * name and the value in front of the message ("option '--port <n>' argument 'x' is invalid.").
 */
export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a whole number ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`}`);
    }
    return n;
  };
}

/** A commander argument parser for a number (fractions allowed) from `min` to `max`. */
export function numberIn(min: number, max = Number.POSITIVE_INFINITY): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a number ${max === Number.POSITIVE_INFINITY ? `>= ${min}` : `from ${min} to ${max}`}`);
    }
    return n;
  };
}
