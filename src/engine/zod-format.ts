import type { ZodError } from 'zod';

/** "user.email: Invalid email; items[0]: Required" — names every field that failed. */
export function formatZodIssues(error: ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '');
      return `${path || '(root)'}: ${issue.message}`;
    })
    .join('; ');
}
